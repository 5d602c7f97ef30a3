import { afterAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { startAdvanced } from "../harness/advanced.js";
import { PythonProcesses, ROOT } from "../harness/python.js";

const python = new PythonProcesses();
afterAll(() => python.stopAll());

describe("an abandoned remote iterator", () => {
  it("closes its stream on the daemon when it is garbage-collected, as Pyro4's __del__", async () => {
    // A daemon of its own: the script counts every open stream of the daemon.
    const { info } = await startAdvanced(python);
    const script = path.join(ROOT, "test/stream/gc-close.script.mts");
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--expose-gc", "--import", "tsx", script, info.uri],
      { cwd: ROOT, timeout: 60_000 },
    );
    expect(JSON.parse(stdout.trim())).toEqual({ before: 1, after: 0 });
  });
});
