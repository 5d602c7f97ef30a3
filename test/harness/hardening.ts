/**
 * Shared by the hardening tests: `fixtures/hardening_server.py` (a few objects whose Pyro4
 * behaviour a client relies on) and short Python client scripts run without blocking the
 * event loop (a TypeScript daemon in the test process must keep serving them).
 */
import type { PythonProcesses } from "./python.js";

/** What `hardening_server.py` prints on its READY line. */
export interface HardeningInfo {
  /** `PYRO:thing@…`: echo, big, slow, fail_proto, self_containing, point. */
  readonly uri: string;
  /** `PYRO:session@…`: `incr()` counts per connection (instance_mode="session"). */
  readonly session: string;
  readonly port: number | null;
  readonly pid: number;
}

/** Start a hardening daemon with extra arguments and environment; `stop()` kills it. */
export async function startHardening(
  python: PythonProcesses,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<HardeningInfo & { stop(): Promise<void>; signal(name: NodeJS.Signals): void }> {
  const { process, info } = await python.startFixture<HardeningInfo>("hardening_server.py", args, {
    env,
  });
  return {
    ...info,
    stop: () => process.stop(),
    signal: (name) => {
      globalThis.process.kill(process.pid, name);
    },
  };
}

/**
 * Run a Python snippet that ends by printing `READY <json>` (its report), and return that
 * report parsed. The process is started asynchronously and stopped by its PID afterwards.
 */
export async function pythonReport<T>(
  python: PythonProcesses,
  code: string,
  args: string[] = [],
  env: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<T> {
  const proc = await python.start(["-c", code, ...args], {
    ready: { line: /^READY (.*)$/ },
    env,
    timeoutMs,
  });
  await proc.stop();
  return JSON.parse(proc.readyMatch?.[1] ?? "null") as T;
}
