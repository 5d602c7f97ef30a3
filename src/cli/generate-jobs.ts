/**
 * The jobs of a `pyrogen <uri…>` run: one module each, from the command line's URIs,
 * snapshot and source flags, or from a config file's targets — with every usage error the
 * combination of flags can have.
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import { typeNameProblem } from "../codegen/names.js";
import type { TypeOverrides } from "../codegen/overrides.js";
import { mergeSettings, type ConnectionSettings } from "./connection-options.js";
import { CliError, EXIT } from "./exit-codes.js";

/** The flags of the generate command. */
export interface GenerateFlags extends ConnectionSettings {
  out?: string;
  name?: string;
  config?: string;
  target?: string[];
  metadata?: string;
  saveMetadata?: string;
  offline?: boolean;
  check?: boolean;
  quiet?: boolean;
  source?: string[];
  class?: string;
  validate?: boolean;
  infer?: boolean;
}

/** What a job reads from the server's Python source. */
export interface SourceJob {
  readonly entries: readonly string[];
  readonly className: string | undefined;
  readonly validate: boolean;
  readonly infer: boolean;
}

/** One module to produce. */
export interface Job {
  readonly label: string;
  /** Fetch from this URI, unless `snapshot` is the source. */
  readonly uri: string | undefined;
  readonly snapshot: string | undefined;
  readonly fromSnapshot: boolean;
  /** Names come from the Python source alone (no daemon, no snapshot). */
  readonly fromSource: boolean;
  readonly source: SourceJob | undefined;
  /** Save fetched metadata here. */
  readonly saveSnapshot: string | undefined;
  /** Output file (or a folder to put it in); `undefined` = stdout. */
  readonly out: Output | undefined;
  /** Where the paths came from, for messages: `-o`, or a config file's target and field. */
  readonly origins: { readonly out: string; readonly snapshot: string };
  readonly name: string | undefined;
  readonly types: TypeOverrides | undefined;
  readonly settings: ConnectionSettings;
}

/** Where a module goes: a file, or a folder where its file name follows the type name. */
export type Output = { readonly file: string } | { readonly folder: string };

/** The jobs for URIs and flags on the command line. */
export async function argumentJobs(uris: string[], flags: GenerateFlags): Promise<Job[]> {
  if (flags.target !== undefined) throw new CliError("--target needs --config <file>", EXIT.usage);
  const sourceJob = sourceOf(flags);
  if (flags.offline === true && sourceJob === undefined) {
    throw new CliError(
      "--offline needs --config <file> or --source; for one object use --metadata <snapshot>",
      EXIT.usage,
    );
  }
  const settings = pickSettings(flags);
  const nameProblem = flags.name === undefined ? undefined : typeNameProblem(flags.name);
  if (nameProblem !== undefined) {
    throw new CliError(`--name ${JSON.stringify(flags.name)}: ${nameProblem}`, EXIT.usage);
  }
  if (flags.metadata !== undefined) {
    if (uris.length > 1) {
      throw new CliError(
        "--metadata generates one module: give at most one URI with it",
        EXIT.usage,
      );
    }
    if (flags.saveMetadata !== undefined) {
      throw new CliError(
        "--metadata reads a snapshot and --save-metadata writes one: use one of them",
        EXIT.usage,
      );
    }
    const out = flags.out === undefined ? undefined : await outputFile(flags.out, 1);
    return [
      job(flags.metadata, uris[0], flags.metadata, "snapshot", undefined, out, flags, settings),
    ];
  }
  if (uris.length === 0) {
    if (sourceJob !== undefined) {
      // No daemon and no snapshot: the exposed names come from the source by Pyro's rules.
      if (flags.saveMetadata !== undefined) {
        throw new CliError("--save-metadata saves what a daemon reports: give a URI", EXIT.usage);
      }
      const out = flags.out === undefined ? undefined : await outputFile(flags.out, 1);
      const label = sourceJob.entries.join(", ");
      return [job(label, undefined, undefined, "source", undefined, out, flags, settings)];
    }
    throw new CliError(
      "nothing to generate: give a URI (pyrogen PYRONAME:name -o out.ts), a snapshot " +
        "(--metadata <file>), the server's source (--source server.py) or a config file " +
        "(--config <file>); see pyrogen --help",
      EXIT.usage,
    );
  }
  if (uris.length > 1 && flags.saveMetadata !== undefined) {
    throw new CliError(
      "--save-metadata saves one object: give one URI with it, or use a config file",
      EXIT.usage,
    );
  }
  if (uris.length > 1 && flags.name !== undefined) {
    throw new CliError(
      "--name names one object: give one URI with it, or use a config file",
      EXIT.usage,
    );
  }
  if (uris.length > 1 && flags.out === undefined) {
    throw new CliError(
      "several URIs need -o <folder>: one module is written per object",
      EXIT.usage,
    );
  }
  if (flags.offline === true && flags.saveMetadata !== undefined) {
    throw new CliError("--offline does not connect, so there is nothing to save", EXIT.usage);
  }
  const jobs: Job[] = [];
  for (const uri of uris) {
    const out = flags.out === undefined ? undefined : await outputFile(flags.out, uris.length);
    // --offline with --source: the URI is only the factory's default; nothing connects.
    const from = flags.offline === true ? "source" : "daemon";
    jobs.push(job(uri, uri, undefined, from, flags.saveMetadata, out, flags, settings));
  }
  return jobs;
}

/** The `--source` part of the flags, checked. */
function sourceOf(flags: GenerateFlags): SourceJob | undefined {
  if (flags.source === undefined) {
    for (const [flag, value] of [
      ["--class", flags.class],
      ["--validate", flags.validate],
      ["--no-infer", flags.infer === false ? true : undefined],
    ] as const) {
      if (value !== undefined) {
        throw new CliError(`${flag} needs --source <file-or-folder>`, EXIT.usage);
      }
    }
    return undefined;
  }
  return {
    entries: flags.source,
    className: flags.class,
    validate: flags.validate === true,
    infer: flags.infer !== false,
  };
}

function job(
  label: string,
  uri: string | undefined,
  snapshot: string | undefined,
  from: "daemon" | "snapshot" | "source",
  saveSnapshot: string | undefined,
  out: Output | undefined,
  flags: GenerateFlags,
  settings: ConnectionSettings,
): Job {
  return {
    label,
    uri,
    snapshot,
    fromSnapshot: from === "snapshot",
    fromSource: from === "source",
    source: sourceOf(flags),
    saveSnapshot,
    out,
    origins: { out: "-o", snapshot: from === "snapshot" ? "--metadata" : "--save-metadata" },
    name: flags.name,
    types: undefined,
    settings,
  };
}

/** The jobs for the targets of `--config` (those `--target` selects). */
export async function configJobs(uris: string[], flags: GenerateFlags): Promise<Job[]> {
  if (uris.length > 0) {
    throw new CliError("give either URIs or --config <file>, not both", EXIT.usage);
  }
  for (const flag of ["out", "name", "metadata", "saveMetadata", "source", "class"] as const) {
    if (flags[flag] !== undefined) {
      const shown = flag === "saveMetadata" ? "--save-metadata" : `--${flag}`;
      throw new CliError(
        `${shown} cannot be combined with --config: set it per target in the config file`,
        EXIT.usage,
      );
    }
  }
  const { loadConfigFile, targetLabel } = await import("./config-file.js");
  const { file, config } = await loadConfigFile(flags.config!);
  const cliSettings = pickSettings(flags);
  const selected = config.targets
    .map((target, index) => ({ target, index }))
    .filter(({ target }) => flags.target === undefined || flags.target.includes(target.name ?? ""));
  if (flags.target !== undefined) {
    const known = new Set(config.targets.map((t) => t.name));
    const unknown = flags.target.filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new CliError(
        `${file}: no target named ${unknown.map((n) => JSON.stringify(n)).join(", ")}; ` +
          `targets: ${config.targets.map((t, i) => targetLabel(t, i)).join(", ")}`,
        EXIT.usage,
      );
    }
  }
  return selected.map(({ target, index }): Job => {
    const {
      name,
      uri,
      metadata,
      out,
      types,
      source,
      class: className,
      validate,
      infer,
      ...connection
    } = target;
    // Offline, a target reads its snapshot if it has one, else (with a source) its source.
    const offline = flags.offline === true || uri === undefined;
    const fromSource = offline && metadata === undefined && source !== undefined;
    const fromSnapshot = offline && !fromSource;
    if (fromSnapshot && metadata === undefined) {
      throw new CliError(
        `${file}: ${targetLabel(target, index)}: --offline needs a "metadata" snapshot path (or a "source") for this target`,
        EXIT.usage,
      );
    }
    return {
      label: targetLabel(target, index),
      uri,
      snapshot: metadata,
      fromSnapshot,
      fromSource,
      source:
        source === undefined
          ? undefined
          : {
              entries: source as string[],
              className,
              validate: validate === true,
              infer: infer !== false,
            },
      saveSnapshot: offline ? undefined : metadata,
      out: { file: out },
      origins: {
        out: `${file}: ${targetLabel(target, index)}, field "out"`,
        snapshot: `${file}: ${targetLabel(target, index)}, field "metadata"`,
      },
      name,
      types,
      settings: mergeSettings(config.defaults ?? {}, connection, cliSettings),
    };
  });
}

/** The connection settings among the flags. */
export function pickSettings(flags: GenerateFlags): ConnectionSettings {
  const {
    out: _out,
    name: _name,
    config: _config,
    target: _target,
    metadata: _metadata,
    saveMetadata: _save,
    offline: _offline,
    check: _check,
    quiet: _quiet,
    source: _source,
    class: _class,
    validate: _validate,
    infer: _infer,
    ...settings
  } = flags;
  return settings;
}

async function outputFile(out: string, count: number): Promise<Output> {
  const isDir = out.endsWith("/") || out.endsWith(path.sep) || (await isDirectory(out));
  if (isDir) return { folder: path.resolve(out) };
  if (count > 1) {
    throw new CliError(`-o ${out}: several URIs need an output folder (end it with /)`, EXIT.usage);
  }
  return { file: path.resolve(out) };
}

async function isDirectory(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isDirectory();
  } catch {
    return false;
  }
}
