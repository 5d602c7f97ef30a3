/**
 * A folder whose disk is full, for the tests of what pyrogen leaves behind when a write
 * fails: a tiny tmpfs filled to the brim where this machine lets a test mount one (root
 * with CAP_SYS_ADMIN), else a plain folder where `full-disk-preload.mjs` makes every write
 * fail with ENOSPC halfway (the CLI runs with `node --import` it).
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);
const PRELOAD = fileURLToPath(new URL("full-disk-preload.mjs", import.meta.url));

/** A folder on a disk that is (or behaves as) full. */
export interface FullDisk {
  readonly dir: string;
  readonly how: "tmpfs" | "injected";
  /** For the CLI's node process. */
  readonly nodeArgs: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Put `files` there while there is still room, then fill what is left. */
  prepare(files: Readonly<Record<string, string>>): Promise<void>;
  /** Unmount (tmpfs) and remove the folder. */
  release(): Promise<void>;
}

/** A full disk; `PYROGEN_TEST_NO_MOUNT=1` forces the injected kind (to test that path). */
export async function fullDisk(): Promise<FullDisk> {
  const dir = await mkdtemp(path.join(tmpdir(), "pyrogen-full-"));
  const mounted =
    process.env["PYROGEN_TEST_NO_MOUNT"] !== "1" &&
    (await execFileAsync("mount", ["-t", "tmpfs", "-o", "size=128k", "tmpfs", dir]).then(
      () => true,
      () => false,
    ));
  const release = async () => {
    if (mounted) await execFileAsync("umount", [dir]);
    await rm(dir, { recursive: true, force: true });
  };
  const put = async (files: Readonly<Record<string, string>>) => {
    for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  };
  if (!mounted) {
    return {
      dir,
      how: "injected",
      nodeArgs: ["--import", PRELOAD],
      env: { PYROGEN_TEST_FULL_DISK: dir },
      prepare: put,
      release,
    };
  }
  return {
    dir,
    how: "tmpfs",
    nodeArgs: [],
    env: {},
    prepare: async (files) => {
      await put(files);
      // Fill the rest in shrinking pieces until not even one byte fits.
      for (let size = 16384, n = 0; size >= 1;) {
        try {
          await writeFile(path.join(dir, `.filler-${n++}`), Buffer.alloc(size, 0x20));
        } catch {
          size >>= 1;
        }
      }
    },
    release,
  };
}
