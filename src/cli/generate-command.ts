/**
 * `pyrogen <uri…>`: fetch metadata (or read snapshots), generate the modules, then write
 * them, print one to stdout, or — with `--check` — compare them with the files on disk.
 */
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { SerializerName } from "@pyrogen/runtime";
import type { RemoteMetadata } from "../codegen/metadata.js";
import type { TypingSummary } from "../codegen/generate.js";
import { fileNameFor, typeNameFor, typeNameProblem } from "../codegen/names.js";
import type { TypeOverrides } from "../codegen/overrides.js";
import type { SourceTypes } from "../codegen/source/source-types.js";
import { mergeSettings, pyroConfigFor, type ConnectionSettings } from "./connection-options.js";
import { CliError, EXIT, type ExitCode } from "./exit-codes.js";
import { fetchMetadata } from "./fetch-metadata.js";
import { Progress } from "./progress.js";
import { readSnapshot, writeSnapshot } from "./snapshot-file.js";

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
interface SourceJob {
  readonly entries: readonly string[];
  readonly className: string | undefined;
  readonly validate: boolean;
  readonly infer: boolean;
}

/** One module to produce. */
interface Job {
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
  readonly name: string | undefined;
  readonly types: TypeOverrides | undefined;
  readonly settings: ConnectionSettings;
}

/** Where a module goes: a file, or a folder where its file name follows the type name. */
type Output = { readonly file: string } | { readonly folder: string };

/** Run the generate command; resolves to the exit code. */
export async function runGenerate(uris: string[], flags: GenerateFlags): Promise<ExitCode> {
  const jobs =
    flags.config !== undefined ? await configJobs(uris, flags) : await argumentJobs(uris, flags);
  if (flags.check === true && jobs.some((job) => job.out === undefined)) {
    throw new CliError("--check compares files: give the output file with -o <file>", EXIT.usage);
  }
  // Loaded only now: usage errors should not pay for ts-morph and prettier.
  const { generateModule } = await import("../codegen/generate.js");
  const progress = new Progress(jobs.length, flags.quiet === true);
  const stale: string[] = [];
  for (const [index, job] of jobs.entries()) {
    progress.step(index, job.label);
    const fetched = job.fromSource ? undefined : await source(job);
    const sourceTypes = await readSource(job, fetched?.metadata);
    const uri = fetched?.uri ?? job.uri;
    const metadata = fetched?.metadata ?? sourceTypes!.main.metadata;
    const typeName = moduleTypeName(job, uri, sourceTypes);
    const generated = await generateModule(metadata, {
      typeName,
      uri,
      types: job.types,
      source: sourceTypes,
      serializer: sourceTypes === undefined ? undefined : serializerOf(job.settings),
    });
    for (const warning of generated.warnings) {
      process.stderr.write(`pyrogen: warning: ${job.label}: ${warning}\n`);
    }
    const out = job.out === undefined ? undefined : outputPath(job.out, typeName);
    if (out === undefined) {
      process.stdout.write(generated.code);
    } else if (flags.check === true) {
      if ((await readIfExists(out)) !== generated.code) stale.push(out);
    } else {
      await writeIfChanged(out, generated.code);
    }
    // One line per written (or checked) module: how much of it is typed.
    if (out !== undefined && flags.quiet !== true) {
      process.stderr.write(`pyrogen: ${summaryLine(out, generated.summary)}\n`);
    }
  }
  if (flags.check === true) {
    for (const file of stale) {
      process.stderr.write(`pyrogen: stale: ${shownPath(file)}\n`);
    }
    if (stale.length > 0) {
      process.stderr.write(
        `pyrogen: ${stale.length} of ${jobs.length} generated file(s) out of date; ` +
          "run the same command without --check to regenerate\n",
      );
      return EXIT.stale;
    }
    if (flags.quiet !== true) process.stderr.write(`pyrogen: ${jobs.length} file(s) up to date\n`);
  }
  return EXIT.ok;
}

async function argumentJobs(uris: string[], flags: GenerateFlags): Promise<Job[]> {
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
    name: flags.name,
    types: undefined,
    settings,
  };
}

async function configJobs(uris: string[], flags: GenerateFlags): Promise<Job[]> {
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
      name,
      types,
      settings: mergeSettings(config.defaults ?? {}, connection, cliSettings),
    };
  });
}

function pickSettings(flags: GenerateFlags): ConnectionSettings {
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

async function source(job: Job): Promise<{ uri: string; metadata: RemoteMetadata }> {
  if (job.fromSnapshot) {
    const snapshot = await readSnapshot(job.snapshot!);
    return { uri: job.uri ?? snapshot.uri, metadata: snapshot.metadata };
  }
  const uri = job.uri!;
  const metadata = await fetchMetadata(uri, job.settings);
  if (job.saveSnapshot !== undefined) await writeSnapshot(job.saveSnapshot, uri, metadata);
  return { uri, metadata };
}

/** Types from the job's Python source, if it has one (the analyser loads only then). */
async function readSource(
  job: Job,
  metadata: RemoteMetadata | undefined,
): Promise<SourceTypes | undefined> {
  if (job.source === undefined) return undefined;
  const { readSourceTypes, SourceTypesError } = await import("../codegen/source/source-types.js");
  const { SourceError } = await import("../codegen/source/source-files.js");
  try {
    return await readSourceTypes(
      {
        entries: job.source.entries,
        className: job.source.className,
        serializer: serializerOf(job.settings),
        infer: job.source.infer,
        validate: job.source.validate,
        classOverrides: job.types?.classes ?? {},
        metadata,
      },
      (pythonName) => job.name ?? typeNameFor(pythonName),
    );
  } catch (error) {
    if (error instanceof SourceTypesError || error instanceof SourceError) {
      throw new CliError(`${job.label}: ${error.message}`, EXIT.usage, { cause: error });
    }
    throw error;
  }
}

/** The module's type name: `--name`, else the source's class name, else from the URI. */
function moduleTypeName(
  job: Job,
  uri: string | undefined,
  source: SourceTypes | undefined,
): string {
  if (job.name !== undefined) return job.name;
  if (source !== undefined) return typeNameFor(source.pythonName);
  return typeNameFor(objectNameOf(uri ?? "remote"));
}

/** The serializer a module's source types are mapped for: the connection's. */
function serializerOf(settings: ConnectionSettings): SerializerName {
  return pyroConfigFor(settings).get("SERIALIZER");
}

/** `music.ts: 8 methods (7 typed, 1 partly), 2 attributes typed` */
function summaryLine(out: string, summary: TypingSummary): string {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;
  const detail = [
    ...(summary.typed > 0 ? [`${summary.typed} typed`] : []),
    ...(summary.partly > 0 ? [`${summary.partly} partly`] : []),
  ];
  const methods = `${plural(summary.methods, "method")} (${detail.length > 0 ? detail.join(", ") : "untyped"})`;
  const attrs =
    summary.attrs === 0
      ? ""
      : summary.attrsTyped === summary.attrs
        ? `, ${plural(summary.attrs, "attribute")} typed`
        : `, ${plural(summary.attrs, "attribute")} (${summary.attrsTyped === 0 ? "untyped" : `${summary.attrsTyped} typed`})`;
  return `${shownPath(out)}: ${methods}${attrs}`;
}

/** The object part of a URI: `PYRONAME:example.music@h:1` → `example.music`. */
function objectNameOf(uri: string): string {
  const rest = uri.slice(uri.indexOf(":") + 1);
  const at = rest.lastIndexOf("@");
  return at >= 0 ? rest.slice(0, at) : rest;
}

async function outputFile(out: string, count: number): Promise<Output> {
  const isDir = out.endsWith("/") || out.endsWith(path.sep) || (await isDirectory(out));
  if (isDir) return { folder: path.resolve(out) };
  if (count > 1) {
    throw new CliError(`-o ${out}: several URIs need an output folder (end it with /)`, EXIT.usage);
  }
  return { file: path.resolve(out) };
}

/** The output file: as given, or in the folder under the type name (`music-server.ts`). */
function outputPath(out: Output, typeName: string): string {
  return "file" in out ? out.file : path.resolve(out.folder, fileNameFor(typeName));
}

/** A path relative to the working folder when it is inside it, else absolute. */
function shownPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative === "" || relative.startsWith("..") || path.isAbsolute(relative)
    ? file
    : relative;
}

async function isDirectory(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isDirectory();
  } catch {
    return false;
  }
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch {
    return undefined;
  }
}

async function writeIfChanged(file: string, code: string): Promise<void> {
  if ((await readIfExists(file)) === code) return;
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, code);
  } catch (error) {
    throw new CliError(
      `cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}; check the -o path`,
      EXIT.io,
      { cause: error },
    );
  }
}
