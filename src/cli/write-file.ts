/**
 * How the CLI writes files: atomically (a temporary file beside the target, then a rename),
 * so a full disk or a crash leaves the previous file as it was, never a truncated one; and
 * with errors that say what the errno means and where the path came from.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, realpath, rename, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { CliError, EXIT } from "./exit-codes.js";

/** What common errnos mean for a file the CLI reads or writes. */
const ERRNO_MEANINGS: Readonly<Record<string, string>> = {
  ENOSPC: "the disk is full",
  EDQUOT: "the disk quota is used up",
  EROFS: "the file system is read-only",
  EACCES: "permission denied",
  EPERM: "the operation is not permitted",
  ENOENT: "no such file or folder",
  EISDIR: "it is a folder, not a file",
  EMFILE: "too many open files",
  EIO: "an input/output error on the device",
};

/** The errno code of a Node file-system error, if it has one. */
function errnoOf(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

/** The first existing part of `file`'s path that is not a folder, if one is in the way. */
async function fileInTheWay(file: string): Promise<string | undefined> {
  let dir = path.dirname(path.resolve(file));
  for (;;) {
    try {
      return (await stat(dir)).isDirectory() ? undefined : dir;
    } catch {
      const parent = path.dirname(dir);
      if (parent === dir) return undefined;
      dir = parent;
    }
  }
}

/** An errno in words, `the disk is full (ENOSPC)`; the code (or message) when it is not a common one. */
export function explainFileErrorSync(error: unknown): string {
  const code = errnoOf(error);
  if (code !== undefined && ERRNO_MEANINGS[code] !== undefined) {
    return `${ERRNO_MEANINGS[code]} (${code})`;
  }
  return code ?? (error instanceof Error ? error.message : String(error));
}

/**
 * Why a read or write of `file` failed, in words: `the disk is full (ENOSPC)`, or for
 * EEXIST/ENOTDIR from creating its folders, which part of the path is a file.
 */
export async function explainFileError(file: string, error: unknown): Promise<string> {
  const code = errnoOf(error);
  if (code === "EEXIST" || code === "ENOTDIR") {
    const blocker = await fileInTheWay(file);
    if (blocker !== undefined) {
      return `${shownPath(blocker)} is a file, so it cannot be a folder on the path (${code})`;
    }
  }
  return explainFileErrorSync(error);
}

/**
 * A CLI error for a file that could not be read or written. `origin` says where the path
 * came from (`--out`, or `pyrogen.config.json: target 1 "Music", field "out"`).
 */
export async function fileError(
  action: "read" | "write",
  what: string,
  file: string,
  error: unknown,
  origin: string,
): Promise<CliError> {
  const kept = action === "write" ? "; the previous file, if any, is unchanged" : "";
  return new CliError(
    `cannot ${action} ${what} ${shownPath(file)} (path from ${origin}): ` +
      `${await explainFileError(file, error)}${kept}`,
    EXIT.io,
    { cause: error },
  );
}

/**
 * Write `text` to `file` (creating its folders) so that the file holds either its previous
 * content or all of `text`: write a temporary file in the same folder, flush it to disk,
 * then rename it over the target (a rename within one file system is atomic). A target
 * that is a symlink is replaced where it points; an existing file keeps its permissions.
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const target = await realpath(file).catch(() => path.resolve(file));
  await mkdir(path.dirname(target), { recursive: true });
  const mode = await stat(target).then(
    (s) => s.mode & 0o777,
    () => 0o666,
  );
  const temporary = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`,
  );
  try {
    const handle = await open(temporary, "wx", mode);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, target);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

/** The file's text, or `undefined` when it does not exist (other errors are thrown). */
export async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if (errnoOf(error) === "ENOENT" || errnoOf(error) === "ENOTDIR") return undefined;
    throw error;
  }
}

/** A path relative to the working folder when it is inside it, else absolute. */
export function shownPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative === "" || relative.startsWith("..") || path.isAbsolute(relative)
    ? file
    : relative;
}
