/**
 * The CPU time of another process (a daemon under test), to the nanosecond: every thread of
 * it, exited ones included, user + system. Node has no call for another process's CPU clock
 * and /proc/PID/stat counts in 10 ms ticks, so one long-lived Python process
 * (`bench/process_cpu.py`) reads the kernel's per-process clock on request.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PythonBenchClient } from "./python-client.js";

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), "process_cpu.py");

/** Reads processes' CPU time; stop it with `close()`. */
export class ProcessCpuClock extends PythonBenchClient {
  constructor() {
    super(SCRIPT);
  }

  /** CPU time process `pid` has used so far, in microseconds; throws if it cannot be read. */
  async micros(pid: number): Promise<number> {
    const reply = await this.ask<{ cpu_ns?: number; error?: string }>({ pid });
    if (reply.cpu_ns === undefined) throw new Error(reply.error ?? `no CPU time for ${pid}`);
    return reply.cpu_ns / 1000;
  }
}
