/**
 * Shared by the hardening tests: `fixtures/hardening_server.py` (a few objects whose Pyro4 or
 * Pyro5 behaviour a client relies on) and short Python client scripts run without blocking the
 * event loop (a TypeScript daemon in the test process must keep serving them).
 */
import { PYRO4, type Generation } from "./generations.js";
import { FIXTURES, type PythonProcesses } from "./python.js";

/** What `hardening_server.py` prints on its READY line. */
export interface HardeningInfo {
  /** `PYRO:thing@…`: echo, big, slow, fail_proto, self_containing, point. */
  readonly uri: string;
  /** `PYRO:session@…`: `incr()` counts per connection (instance_mode="session"). */
  readonly session: string;
  readonly port: number | null;
  readonly pid: number;
}

/**
 * Start a hardening daemon of `generation` with extra arguments and environment; `stop()`
 * kills it.
 */
export async function startHardening(
  python: PythonProcesses,
  args: string[] = [],
  env: Record<string, string> = {},
  generation: Generation = PYRO4,
): Promise<HardeningInfo & { stop(): Promise<void>; signal(name: NodeJS.Signals): void }> {
  const { process, info } = await python.startFixture<HardeningInfo>("hardening_server.py", args, {
    env,
    generation: generation.protocol,
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
 * The snippet is written with Pyro4's names; under Pyro5 (`generation`) it runs with
 * `fixtures/pyro_peer.py`'s alias, which gives Pyro5's equivalents those names.
 */
export async function pythonReport<T>(
  python: PythonProcesses,
  code: string,
  args: string[] = [],
  env: Record<string, string> = {},
  options: { timeoutMs?: number; generation?: Generation } = {},
): Promise<T> {
  const generation = options.generation ?? PYRO4;
  const peer = generation === PYRO4 ? "" : "import pyro_peer\n";
  const proc = await python.start(["-c", peer + code, ...args], {
    ready: { line: /^READY (.*)$/ },
    env: generation === PYRO4 ? env : { ...env, PYTHONPATH: FIXTURES },
    generation: generation.protocol,
    timeoutMs: options.timeoutMs ?? 30_000,
  });
  await proc.stop();
  return JSON.parse(proc.readyMatch?.[1] ?? "null") as T;
}
