/**
 * Idle connections do not hold the process open (a Python script with an unreleased proxy
 * exits at once, and so does Node now), a proxy the garbage collector reclaims closes its
 * connection (Pyro4's `__del__`): a thread-pool daemon gets its worker back, and a released
 * proxy's connection is freed by the young generation's collections.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHardening, type HardeningInfo } from "../harness/hardening.js";
import { PythonProcesses, ROOT } from "../harness/python.js";

const python = new PythonProcesses();
let daemon: HardeningInfo;
let small: HardeningInfo;
let nsPort: number;
beforeAll(async () => {
  [daemon, small, { port: nsPort }] = await Promise.all([
    startHardening(python),
    // Four workers: a fifth connection held open is refused ("no free workers").
    startHardening(python, [], { PYRO_THREADPOOL_SIZE: "4", PYRO_THREADPOOL_SIZE_MIN: "2" }),
    python.startNameServer(),
  ]);
});
afterAll(() => python.stopAll());

const SCRIPT = path.join(ROOT, "test/proxy/idle-connections.script.mts");

/** Run the script; a process that does not exit by itself is killed after 20 s. */
async function run(args: string[]): Promise<{ stdout: string; killed: boolean }> {
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--expose-gc", "--import", "tsx", SCRIPT, ...args],
      { cwd: ROOT, timeout: 20_000 },
    );
    return { stdout, killed: false };
  } catch (error) {
    const failed = error as { stdout?: string; killed?: boolean; stderr?: string };
    if (failed.killed !== true) throw error;
    return { stdout: failed.stdout ?? "", killed: true };
  }
}

describe("idle connections and the process", () => {
  it("an unreleased proxy lets the process exit once its call is done", async () => {
    const { stdout, killed } = await run(["call", daemon.uri]);
    expect(killed).toBe(false);
    expect(JSON.parse(stdout)).toEqual({ echo: "kept" });
  });

  it("an unreleased name-server client lets the process exit too", async () => {
    const { stdout, killed } = await run(["ns", String(nsPort)]);
    expect(killed).toBe(false);
    expect(JSON.parse(stdout)).toEqual({ count: 1 });
  });
});

describe("dropped proxies", () => {
  it("a garbage-collected proxy closes its connection: 12 dropped proxies on a 4-worker daemon", async () => {
    const { stdout, killed } = await run(["drop", small.uri, "12"]);
    expect(killed).toBe(false);
    expect(JSON.parse(stdout)).toEqual({ succeeded: 12, failures: [] });
  });

  it("a released proxy leaves its connection to the minor collections", async () => {
    // Before, the finalizer's hold on each channel kept ~10 KB per proxy out of their reach
    // until a major collection, which V8 then ran in every window.
    const { stdout } = await run(["released", daemon.uri, "2000"]);
    const result = JSON.parse(stdout) as { bytesPerProxy?: number; error?: string };
    expect(result.error).toBeUndefined();
    expect(result.bytesPerProxy).toBeLessThan(2048);
  });
});
