/**
 * The daemon CPU figures of the benchmarks read another process's CPU clock
 * (bench/process_cpu.py through bench/process-cpu.ts): every thread of the process counts,
 * threads that have already exited included, which /proc/PID/task does not give.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, it } from "vitest";
import { ProcessCpuClock } from "../../bench/process-cpu.js";
import { PythonCallsClient } from "../../bench/measure.js";
import { findPython, pythonEnv, PythonProcesses, ROOT } from "../harness/python.js";

/** Burns `seconds` of CPU in a thread that then exits, when told to on stdin. */
const BURNER = `
import sys, threading, time
def burn():
    start = time.thread_time()
    while time.thread_time() - start < float(sys.argv[1]):
        pass
print("ready", flush=True)
sys.stdin.readline()
worker = threading.Thread(target=burn)
worker.start()
worker.join()
print("burnt", flush=True)
sys.stdin.readline()
`;

const clock = new ProcessCpuClock();
const processes = new PythonProcesses();
afterAll(async () => {
  await clock.close();
  await processes.stopAll();
});

describe("ProcessCpuClock", () => {
  it("counts the CPU time of a thread that has exited", async () => {
    const burner = spawn(findPython(), ["-c", BURNER, "0.3"], { env: pythonEnv() });
    try {
      const lines = createInterface({ input: burner.stdout })[Symbol.asyncIterator]();
      expect((await lines.next()).value).toBe("ready");
      const before = await clock.micros(burner.pid!);
      burner.stdin.write("\n");
      expect((await lines.next()).value).toBe("burnt");
      const after = await clock.micros(burner.pid!);
      // The worker thread is gone, and its 0.3 s are still in the process's clock.
      expect(after - before).toBeGreaterThanOrEqual(300_000);
    } finally {
      const exited = once(burner, "exit");
      burner.kill();
      await exited;
    }
  });

  it("says which process it cannot read, and reads on afterwards", async () => {
    const gone = spawn(findPython(), ["-c", "pass"]);
    await once(gone, "exit");
    await expect(clock.micros(gone.pid!)).rejects.toThrow(
      new RegExp(`cannot read the CPU time of process ${gone.pid}`),
    );
    expect(await clock.micros(process.pid)).toBeGreaterThan(0);
  });
});

describe("bench/calls_client.py", () => {
  it("reports the daemon's CPU over the timed calls when given the daemon's pid", async () => {
    const { process: daemon, info } = await processes.startFixture<{ uri: string }>(
      "bench_server.py",
    );
    const client = new PythonCallsClient(`${ROOT}/bench/calls_client.py`);
    try {
      const request = { target: info.uri, serializer: "json", case: "small" };
      const watched = await client.measure({ ...request, count: 200, daemon_pid: daemon.pid });
      expect(watched.calls).toBe(200);
      expect(watched.calls_per_s).toBeGreaterThan(0);
      expect(watched.cpu_us_per_call).toBeGreaterThan(0);
      // Every call costs the daemon at least its read, decode, encode and write.
      expect(watched.daemon_cpu_us_per_call).toBeGreaterThan(0);
      const timed = await client.measure({ ...request, seconds: 0.05 });
      expect(timed.calls).toBeGreaterThanOrEqual(1);
      expect(timed.daemon_cpu_us_per_call).toBeUndefined();
    } finally {
      await client.close();
    }
  });
});
