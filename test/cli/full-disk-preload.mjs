// Loaded with `node --import` by the full-disk tests where no tmpfs can be mounted: a write
// to a file under PYROGEN_TEST_FULL_DISK stores half the data, then fails with ENOSPC, as on
// a full disk. Covers fs/promises' writeFile and FileHandle.writeFile (the two ways pyrogen
// has written files).
/* global process */
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import path from "node:path";

const disk = path.resolve(process.env.PYROGEN_TEST_FULL_DISK ?? "/nonexistent");
const onDisk = (file) => typeof file === "string" && path.resolve(file).startsWith(disk + path.sep);
const half = (data) => (typeof data === "string" ? data.slice(0, data.length >> 1) : data);
const full = (file) =>
  Object.assign(new Error(`ENOSPC: no space left on device, write '${file}'`), {
    code: "ENOSPC",
    errno: -28,
    syscall: "write",
    path: file,
  });

const { open, writeFile } = fs.promises;
fs.promises.writeFile = async (file, data, options) => {
  if (!onDisk(file)) return writeFile(file, data, options);
  await writeFile(file, half(data), options);
  throw full(file);
};
fs.promises.open = async (file, ...rest) => {
  const handle = await open(file, ...rest);
  if (onDisk(file)) {
    const write = handle.writeFile.bind(handle);
    handle.writeFile = async (data, options) => {
      await write(half(data), options);
      throw full(file);
    };
  }
  return handle;
};
syncBuiltinESMExports();
