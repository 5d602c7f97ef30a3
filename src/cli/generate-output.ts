/**
 * The files a `pyrogen <uri…>` run produces — modules and metadata snapshots — written once
 * everything is generated, or with `--check` compared and never written. Two of them with
 * the same path are refused before anything is written; every write is atomic; each file
 * written or checked gets one line on stderr (unless `--quiet`).
 */
import path from "node:path";
import type { TypingSummary } from "../codegen/generate.js";
import type { RemoteMetadata } from "../codegen/metadata.js";
import { CliError, EXIT, type ExitCode } from "./exit-codes.js";
import { snapshotIsCurrent, writeSnapshot } from "./snapshot-file.js";
import { fileError, readIfExists, shownPath, writeFileAtomic } from "./write-file.js";

/** A generated module to write (or check). */
export interface ModuleFile {
  readonly kind: "module";
  readonly file: string;
  readonly code: string;
  readonly summary: TypingSummary;
  /** The job it belongs to, for messages. */
  readonly label: string;
  /** Where the path came from (`-o`, a config field). */
  readonly origin: string;
}

/** A metadata snapshot to save (or check against what the daemon reported). */
export interface SnapshotFile {
  readonly kind: "snapshot";
  readonly file: string;
  readonly uri: string;
  readonly metadata: RemoteMetadata;
  /** The daemon's Pyro generation. */
  readonly protocol: number;
  readonly label: string;
  readonly origin: string;
}

/** A file a run produces. */
export type OutputFile = ModuleFile | SnapshotFile;

/** Write every file whose content changed; resolves to the exit code. */
export async function writeFiles(files: readonly OutputFile[], quiet: boolean): Promise<ExitCode> {
  refuseSamePaths(files);
  for (const output of files) {
    const current = await isCurrent(output);
    if (!current) await write(output);
    if (!quiet)
      process.stderr.write(`pyrogen: ${current ? "unchanged" : "wrote"} ${describe(output)}\n`);
  }
  return EXIT.ok;
}

/**
 * `--check`: compare every file with what is on disk, write nothing. A module is stale when
 * its text differs; a snapshot when the daemon now reports another URI or other names.
 */
export async function checkFiles(files: readonly OutputFile[], quiet: boolean): Promise<ExitCode> {
  refuseSamePaths(files);
  const stale: OutputFile[] = [];
  for (const output of files) if (!(await isCurrent(output))) stale.push(output);
  for (const output of stale) {
    const why = output.kind === "snapshot" ? " (the daemon reports other metadata now)" : "";
    process.stderr.write(`pyrogen: stale: ${shownPath(output.file)}${why}\n`);
  }
  if (stale.length > 0) {
    process.stderr.write(
      `pyrogen: ${stale.length} of ${files.length} generated file(s) out of date; ` +
        "run the same command without --check to regenerate\n",
    );
    return EXIT.stale;
  }
  if (!quiet) process.stderr.write(`pyrogen: ${files.length} file(s) up to date\n`);
  return EXIT.ok;
}

/** Whether the file on disk already holds `output` (a snapshot: the same URI and names). */
async function isCurrent(output: OutputFile): Promise<boolean> {
  if (output.kind === "snapshot") {
    return snapshotIsCurrent(output.file, output.uri, output.metadata, output.protocol);
  }
  // An unreadable file is not current; writing it then says what is wrong.
  return (await readIfExists(output.file).catch(() => undefined)) === output.code;
}

async function write(output: OutputFile): Promise<void> {
  if (output.kind === "snapshot") {
    return writeSnapshot(output.file, output.uri, output.metadata, output.origin, output.protocol);
  }
  try {
    await writeFileAtomic(output.file, output.code);
  } catch (error) {
    throw await fileError("write", "module", output.file, error, output.origin);
  }
}

/** Two outputs on one path would overwrite each other: a usage error naming both. */
function refuseSamePaths(files: readonly OutputFile[]): void {
  const seen = new Map<string, OutputFile>();
  for (const output of files) {
    const key = path.resolve(output.file);
    const first = seen.get(key);
    // The same snapshot of the same object, saved twice, is one file.
    const same =
      first?.kind === "snapshot" &&
      output.kind === "snapshot" &&
      JSON.stringify([first.uri, first.metadata]) === JSON.stringify([output.uri, output.metadata]);
    if (first !== undefined && !same) {
      throw new CliError(
        `${first.label} (${first.origin}) and ${output.label} (${output.origin}) would both ` +
          `write ${shownPath(output.file)}; give each its own file (or its own -n name in an ` +
          "-o folder)",
        EXIT.usage,
      );
    }
    seen.set(key, output);
  }
}

/** `src/music.ts: 8 methods (7 typed, 1 partly), 2 attributes typed`, or a snapshot's name. */
function describe(output: OutputFile): string {
  if (output.kind === "snapshot") return `${shownPath(output.file)} (metadata snapshot)`;
  const { summary } = output;
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
  return `${shownPath(output.file)}: ${methods}${attrs}`;
}
