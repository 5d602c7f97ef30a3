/**
 * `pyrogen <uri…>`: fetch metadata (or read snapshots), generate the modules, then write
 * them, print one to stdout, or — with `--check` — compare them with the files on disk.
 */
import path from "node:path";
import type { SerializerName } from "@pyrogen/runtime";
import type { RemoteMetadata } from "../codegen/metadata.js";
import { fileNameFor, typeNameFor } from "../codegen/names.js";
import type { SourceTypes } from "../codegen/source/source-types.js";
import { pyroConfigFor, type ConnectionSettings } from "./connection-options.js";
import { CliError, EXIT, type ExitCode } from "./exit-codes.js";
import { fetchRemote } from "./fetch-metadata.js";
import {
  argumentJobs,
  configJobs,
  type GenerateFlags,
  type Job,
  type Output,
} from "./generate-jobs.js";
import { checkFiles, writeFiles, type OutputFile, type SnapshotFile } from "./generate-output.js";
import { Progress } from "./progress.js";
import { readSnapshot } from "./snapshot-file.js";
import { defaultTypeName, defaultUriWarnings } from "./stable-name.js";

export type { GenerateFlags } from "./generate-jobs.js";

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
  const files: OutputFile[] = [];
  for (const [index, job] of jobs.entries()) {
    progress.step(index, job.label);
    const fetched = job.fromSource ? undefined : await source(job, progress);
    if (fetched?.snapshot !== undefined) files.push(fetched.snapshot);
    const sourceTypes =
      job.source === undefined
        ? undefined
        : await progress.during("reading the Python source", readSource(job, fetched?.metadata));
    const uri = fetched?.uri ?? job.uri;
    const metadata = fetched?.metadata ?? sourceTypes!.main.metadata;
    const typeName = await moduleTypeName(job, uri, sourceTypes, progress);
    const generated = await generateModule(metadata, {
      typeName,
      uri,
      types: job.types,
      source: sourceTypes,
      serializer: sourceTypes === undefined ? undefined : serializerOf(job.settings),
      protocol: fetched?.protocol ?? sourceTypes?.generation,
    });
    const warnings = [...generated.warnings, ...(uri === undefined ? [] : defaultUriWarnings(uri))];
    for (const warning of warnings) {
      process.stderr.write(`pyrogen: warning: ${job.label}: ${warning}\n`);
    }
    if (job.out === undefined) {
      process.stdout.write(generated.code);
      continue;
    }
    const file = outputPath(job.out, typeName);
    const { code, summary } = generated;
    files.push({ kind: "module", file, code, summary, label: job.label, origin: job.origins.out });
  }
  const quiet = flags.quiet === true;
  return flags.check === true ? checkFiles(files, quiet) : writeFiles(files, quiet);
}

/**
 * The job's URI and metadata: from its snapshot, or fetched from the daemon (then also the
 * snapshot to save, which `--check` compares instead).
 */
async function source(
  job: Job,
  progress: Progress,
): Promise<{
  uri: string;
  metadata: RemoteMetadata;
  protocol: number;
  snapshot?: SnapshotFile;
}> {
  if (job.fromSnapshot) {
    const snapshot = await readSnapshot(job.snapshot!, job.origins.snapshot);
    return {
      uri: job.uri ?? snapshot.uri,
      metadata: snapshot.metadata,
      protocol: snapshot.protocol,
    };
  }
  const uri = job.uri!;
  const { metadata, protocol } = await progress.during(
    `connecting to ${uri}`,
    fetchRemote(uri, job.settings),
  );
  if (job.saveSnapshot === undefined) return { uri, metadata, protocol };
  const { label, origins } = job;
  const snapshot: SnapshotFile = {
    kind: "snapshot",
    file: job.saveSnapshot,
    uri,
    metadata,
    protocol,
    label,
    origin: origins.snapshot,
  };
  return { uri, metadata, protocol, snapshot };
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

/**
 * The module's type name: `--name`, else the source's class name, else from the URI — for
 * an object id Pyro made up, the name a name server has for it (see stable-name.ts).
 */
async function moduleTypeName(
  job: Job,
  uri: string | undefined,
  source: SourceTypes | undefined,
  progress: Progress,
): Promise<string> {
  if (job.name !== undefined) return job.name;
  if (source !== undefined) return typeNameFor(source.pythonName);
  if (uri === undefined) return typeNameFor("remote");
  return progress.during("looking for a stable name", defaultTypeName(uri, job.settings));
}

/** The serializer a module's source types are mapped for: the connection's. */
function serializerOf(settings: ConnectionSettings): SerializerName {
  return pyroConfigFor(settings).get("SERIALIZER");
}

/** The output file: as given, or in the folder under the type name (`music-server.ts`). */
function outputPath(out: Output, typeName: string): string {
  return "file" in out ? out.file : path.resolve(out.folder, fileNameFor(typeName));
}
