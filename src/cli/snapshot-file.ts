/**
 * Reading, writing and checking metadata snapshot files (`--metadata`, `--save-metadata`,
 * a config target's `metadata`). Writes are atomic; `--check` compares instead of writing.
 */
import { readFile } from "node:fs/promises";
import {
  normalizeMetadata,
  snapshotSchema,
  snapshotText,
  toSnapshot,
  type RemoteMetadata,
} from "../codegen/metadata.js";
import { CliError, EXIT } from "./exit-codes.js";
import { parseJsonText } from "./json-text.js";
import { fileError, readIfExists, writeFileAtomic } from "./write-file.js";

/** A snapshot's source URI and normalized metadata. */
export interface LoadedSnapshot {
  readonly uri: string;
  readonly metadata: RemoteMetadata;
  /** The daemon's Pyro generation (4 when the snapshot names none). */
  readonly protocol: number;
}

/** Read and validate a snapshot; errors name the file, the place and the field. */
export async function readSnapshot(file: string, origin = "--metadata"): Promise<LoadedSnapshot> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const failure = await fileError("read", "metadata snapshot", file, error, origin);
    throw new CliError(`${failure.message}; write one with --save-metadata`, EXIT.io, {
      cause: error,
    });
  }
  const parsed = parseJsonText(text);
  if (!parsed.ok) {
    const { line, column, message } = parsed.problem;
    throw new CliError(
      `${file}:${line}:${column}: not valid JSON (${message}); regenerate the snapshot with ` +
        "--save-metadata",
      EXIT.io,
    );
  }
  const snapshot = snapshotSchema.safeParse(parsed.value);
  if (!snapshot.success) {
    const problems = snapshot.error.issues
      .map(
        (issue) => `field "${issue.path.map(String).join(".") || "(top level)"}": ${issue.message}`,
      )
      .join("; ");
    throw new CliError(
      `${file} is not a pyrogen metadata snapshot: ${problems}; regenerate it with --save-metadata`,
      EXIT.io,
    );
  }
  return {
    uri: snapshot.data.uri,
    metadata: normalizeMetadata(snapshot.data.metadata),
    protocol: snapshot.data.protocol ?? 4,
  };
}

/** Write a snapshot of `metadata` (fetched from `uri`) to `file`, creating folders. */
export async function writeSnapshot(
  file: string,
  uri: string,
  metadata: RemoteMetadata,
  origin = "--save-metadata",
  protocol = 4,
): Promise<void> {
  try {
    await writeFileAtomic(file, snapshotText(toSnapshot(uri, metadata, protocol)));
  } catch (error) {
    throw await fileError("write", "metadata snapshot", file, error, origin);
  }
}

/**
 * Whether `file` already holds this snapshot (`--check`): the same URI and metadata, however
 * the file is formatted. A missing or unreadable file is not current.
 */
export async function snapshotIsCurrent(
  file: string,
  uri: string,
  metadata: RemoteMetadata,
  protocol = 4,
): Promise<boolean> {
  const text = await readIfExists(file).catch(() => undefined);
  if (text === undefined) return false;
  const parsed = parseJsonText(text);
  if (!parsed.ok) return false;
  const saved = snapshotSchema.safeParse(parsed.value);
  if (!saved.success) return false;
  const normalized = {
    uri: saved.data.uri,
    metadata: normalizeMetadata(saved.data.metadata),
    protocol: saved.data.protocol ?? 4,
  };
  return JSON.stringify(normalized) === JSON.stringify({ uri, metadata, protocol });
}
