/**
 * Reading and writing metadata snapshot files (`--metadata`, `--save-metadata`).
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  normalizeMetadata,
  snapshotSchema,
  snapshotText,
  toSnapshot,
  type RemoteMetadata,
} from "../codegen/metadata.js";
import { CliError, EXIT } from "./exit-codes.js";

/** A snapshot's source URI and normalized metadata. */
export interface LoadedSnapshot {
  readonly uri: string;
  readonly metadata: RemoteMetadata;
}

/** Read and validate a snapshot; errors name the file and the field. */
export async function readSnapshot(file: string): Promise<LoadedSnapshot> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    const reason =
      error instanceof SyntaxError
        ? `not valid JSON (${error.message})`
        : ((error as NodeJS.ErrnoException).code ?? String(error));
    throw new CliError(
      `cannot read metadata snapshot ${file}: ${reason}; write one with --save-metadata ${file}`,
      EXIT.io,
      { cause: error },
    );
  }
  const parsed = snapshotSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map(
        (issue) => `field "${issue.path.map(String).join(".") || "(top level)"}": ${issue.message}`,
      )
      .join("; ");
    throw new CliError(
      `${file} is not a pyrogen metadata snapshot: ${problems}; regenerate it with --save-metadata`,
      EXIT.io,
    );
  }
  return { uri: parsed.data.uri, metadata: normalizeMetadata(parsed.data.metadata) };
}

/** Write a snapshot of `metadata` (fetched from `uri`) to `file`, creating folders. */
export async function writeSnapshot(
  file: string,
  uri: string,
  metadata: RemoteMetadata,
): Promise<void> {
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, snapshotText(toSnapshot(uri, metadata)));
  } catch (error) {
    throw new CliError(
      `cannot write metadata snapshot ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      EXIT.io,
      { cause: error },
    );
  }
}
