/**
 * `pyrogen <uri…>`: fetch metadata (or read snapshots), generate the modules, then write
 * them, print one to stdout, or — with `--check` — compare them with the files on disk.
 */
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { RemoteMetadata } from "../codegen/metadata.js";
import { fileNameFor, typeNameFor, typeNameProblem } from "../codegen/names.js";
import type { TypeOverrides } from "../codegen/overrides.js";
import { mergeSettings, type ConnectionSettings } from "./connection-options.js";
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
}

/** One module to produce. */
interface Job {
  readonly label: string;
  /** Fetch from this URI, unless `snapshot` is the source. */
  readonly uri: string | undefined;
  readonly snapshot: string | undefined;
  readonly fromSnapshot: boolean;
  /** Save fetched metadata here. */
  readonly saveSnapshot: string | undefined;
  /** Output file; `undefined` = stdout. */
  readonly out: string | undefined;
  readonly name: string | undefined;
  readonly types: TypeOverrides | undefined;
  readonly settings: ConnectionSettings;
}

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
    const { uri, metadata } = await source(job);
    const typeName = job.name ?? typeNameFor(objectNameOf(uri));
    const generated = await generateModule(metadata, { typeName, uri, types: job.types });
    for (const warning of generated.warnings) {
      process.stderr.write(`pyrogen: warning: ${job.label}: ${warning}\n`);
    }
    if (job.out === undefined) {
      process.stdout.write(generated.code);
    } else if (flags.check === true) {
      if ((await readIfExists(job.out)) !== generated.code) stale.push(job.out);
    } else {
      await writeIfChanged(job.out, generated.code);
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
  if (flags.offline === true) {
    throw new CliError(
      "--offline needs --config <file>; for one object use --metadata <snapshot>",
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
    const out =
      flags.out === undefined
        ? undefined
        : await outputFile(
            flags.out,
            1,
            flags.name,
            uris[0] ?? (await readSnapshot(flags.metadata)).uri,
          );
    return [job(flags.metadata, uris[0], flags.metadata, true, undefined, out, flags, settings)];
  }
  if (uris.length === 0) {
    throw new CliError(
      "nothing to generate: give a URI (pyrogen PYRONAME:name -o out.ts), a snapshot " +
        "(--metadata <file>) or a config file (--config <file>); see pyrogen --help",
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
  const jobs: Job[] = [];
  for (const uri of uris) {
    const out =
      flags.out === undefined
        ? undefined
        : await outputFile(flags.out, uris.length, flags.name, uri);
    jobs.push(job(uri, uri, undefined, false, flags.saveMetadata, out, flags, settings));
  }
  return jobs;
}

function job(
  label: string,
  uri: string | undefined,
  snapshot: string | undefined,
  fromSnapshot: boolean,
  saveSnapshot: string | undefined,
  out: string | undefined,
  flags: GenerateFlags,
  settings: ConnectionSettings,
): Job {
  return {
    label,
    uri,
    snapshot,
    fromSnapshot,
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
  for (const flag of ["out", "name", "metadata", "saveMetadata"] as const) {
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
  return selected.map(({ target, index }) => {
    const fromSnapshot = flags.offline === true || target.uri === undefined;
    if (fromSnapshot && target.metadata === undefined) {
      throw new CliError(
        `${file}: ${targetLabel(target, index)}: --offline needs a "metadata" snapshot path for this target`,
        EXIT.usage,
      );
    }
    const { name, uri, metadata, out, types, ...connection } = target;
    return {
      label: targetLabel(target, index),
      uri,
      snapshot: metadata,
      fromSnapshot,
      saveSnapshot: fromSnapshot ? undefined : metadata,
      out,
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

/** The object part of a URI: `PYRONAME:example.music@h:1` → `example.music`. */
function objectNameOf(uri: string): string {
  const rest = uri.slice(uri.indexOf(":") + 1);
  const at = rest.lastIndexOf("@");
  return at >= 0 ? rest.slice(0, at) : rest;
}

async function outputFile(
  out: string,
  count: number,
  name: string | undefined,
  uri: string | undefined,
): Promise<string> {
  const isDir = out.endsWith("/") || out.endsWith(path.sep) || (await isDirectory(out));
  if (!isDir) {
    if (count > 1)
      throw new CliError(
        `-o ${out}: several URIs need an output folder (end it with /)`,
        EXIT.usage,
      );
    return path.resolve(out);
  }
  const typeName = name ?? typeNameFor(objectNameOf(uri ?? "remote"));
  return path.resolve(out, fileNameFor(typeName));
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
