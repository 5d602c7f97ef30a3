/**
 * `pyrogen <uri…>`: fetch metadata (or read snapshots), generate the modules, then write
 * them, print one to stdout, or — with `--check` — compare them with the files on disk.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { SerializerName } from "@pyrogen/runtime";
import type { RemoteMetadata } from "../codegen/metadata.js";
import type { TypingSummary } from "../codegen/generate.js";
import { fileNameFor, typeNameFor } from "../codegen/names.js";
import type { SourceTypes } from "../codegen/source/source-types.js";
import { pyroConfigFor, type ConnectionSettings } from "./connection-options.js";
import { CliError, EXIT, type ExitCode } from "./exit-codes.js";
import { fetchMetadata } from "./fetch-metadata.js";
import {
  argumentJobs,
  configJobs,
  type GenerateFlags,
  type Job,
  type Output,
} from "./generate-jobs.js";
import { Progress } from "./progress.js";
import { readSnapshot, writeSnapshot } from "./snapshot-file.js";

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
