/**
 * Real Python for the tests: find an interpreter with Pyro4 4.82, run scripts, start
 * daemons and name servers on free loopback ports, and stop them by PID.
 *
 * Every process started through a {@link PythonProcesses} group is killed by `stopAll()`,
 * which each test file calls in `afterAll`/`afterEach`; a process-exit hook kills any
 * survivor as a last resort, so a failing test never leaves a daemon behind.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer, connect } from "node:net";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { pyro5Env } from "./generations.js";

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** `fixtures/` in the repository. */
export const FIXTURES = path.join(ROOT, "fixtures");

const CANDIDATES = ["/usr/bin/python3", "python3", "/bin/python3", "python"];
const PROBE = "import Pyro4, serpent, msgpack; print(Pyro4.__version__)";

let cachedPython: string | undefined;

/**
 * The interpreter to use: `PYROGEN_PYTHON` if set (it must have Pyro4 4.82), else the first
 * candidate that imports Pyro4 4.82, serpent and msgpack. Throws with install advice if none.
 */
export function findPython(): string {
  if (cachedPython !== undefined) return cachedPython;
  const explicit = process.env["PYROGEN_PYTHON"];
  const candidates = explicit ? [explicit] : CANDIDATES;
  const tried: string[] = [];
  for (const candidate of candidates) {
    try {
      const version = execFileSync(candidate, ["-c", PROBE], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      }).trim();
      if (version === "4.82") {
        cachedPython = candidate;
        return candidate;
      }
      tried.push(`${candidate} (Pyro4 ${version})`);
    } catch {
      tried.push(`${candidate} (no Pyro4/serpent/msgpack)`);
    }
  }
  throw new Error(
    `no Python with Pyro4 4.82 found; tried ${tried.join(", ")}. ` +
      "Install it with: apt-get install -y python3-pyro4 python3-serpent python3-msgpack " +
      "(or set PYROGEN_PYTHON to an interpreter that has them)",
  );
}

/** Environment for Python children: loopback-only name-server settings, no stray config. */
export function pythonEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("PYRO_")) env[key] = value;
  }
  return {
    ...env,
    PYTHONUNBUFFERED: "1",
    PYTHONDONTWRITEBYTECODE: "1",
    PYTHONHASHSEED: "0",
    PYRO_BROADCAST_ADDRS: "127.0.0.1",
    PYRO_NS_HOST: "127.0.0.1",
    PYRO_HOST: "127.0.0.1",
    ...extra,
  };
}

/** Run a Python snippet to completion and return its stdout (stdin may carry input). */
export function runPython(
  code: string,
  options: { input?: string | Uint8Array; env?: Record<string, string>; args?: string[] } = {},
): string {
  return execFileSync(findPython(), ["-c", code, ...(options.args ?? [])], {
    input: options.input,
    env: pythonEnv(options.env),
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
}

/** A free TCP port on 127.0.0.1 (or `::1`). */
export async function freePort(host = "127.0.0.1"): Promise<number> {
  const server = createServer();
  server.listen(0, host);
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** How to know a started process is ready. */
export type ReadyCheck =
  /** A stdout line matching this pattern (its match is returned as `readyMatch`). */
  | { line: RegExp }
  /** A TCP port that accepts connections. */
  | { port: number; host?: string };

/** Options for {@link PythonProcesses.start}. */
export interface StartOptions {
  ready: ReadyCheck;
  /** The Pyro generation of the process (default 4); 5 puts Pyro5 on its PYTHONPATH. */
  generation?: 4 | 5;
  env?: Record<string, string>;
  cwd?: string;
  /** How long to wait for readiness, ms (default 15000). */
  timeoutMs?: number;
}

/** A running Python process. */
export interface PythonProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  /** The match of the ready line, when the ready check was a line. */
  readonly readyMatch: RegExpMatchArray | null;
  /** Everything the process printed so far (stdout and stderr), for failure messages. */
  output(): string;
  /** Kill it (SIGTERM, then SIGKILL after 2 s) and wait until it is gone. */
  stop(): Promise<void>;
}

const everyChild = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of everyChild) {
    if (child.pid !== undefined && child.exitCode === null) {
      try {
        process.kill(child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
});

/** A group of Python processes started by one test file; `stopAll()` stops each by PID. */
export class PythonProcesses {
  readonly #running = new Set<PythonProcess>();

  /** Start `python args…` and wait until it is ready. */
  async start(args: string[], options: StartOptions): Promise<PythonProcess> {
    const env = pythonEnv(options.env);
    const child = spawn(findPython(), args, {
      cwd: options.cwd ?? ROOT,
      env: options.generation === 5 ? pyro5Env(env, findPython()) : env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    everyChild.add(child);
    let output = "";
    const lineWaiters: Array<(line: string) => void> = [];
    let pending = "";
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      output += chunk;
      pending += chunk;
      let newline: number;
      while ((newline = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        for (const waiter of lineWaiters) waiter(line);
      }
    });
    child.stderr.on("data", (chunk: string) => {
      output += chunk;
    });
    const exited = once(child, "exit");
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not start ${findPython()} ${args.join(" ")}`);

    const handle: PythonProcess = {
      pid,
      child,
      readyMatch: null,
      output: () => output,
      stop: async () => {
        this.#running.delete(handle);
        if (child.exitCode === null && child.signalCode === null) {
          process.kill(pid, "SIGTERM");
          const timer = setTimeout(() => {
            if (child.exitCode === null && child.signalCode === null) process.kill(pid, "SIGKILL");
          }, 2000);
          await exited;
          clearTimeout(timer);
        }
        everyChild.delete(child);
      },
    };
    this.#running.add(handle);

    const timeoutMs = options.timeoutMs ?? 15_000;
    const failEarly = exited.then(() => {
      throw new Error(`python ${args.join(" ")} exited before it was ready:\n${output}`);
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new Error(`python ${args.join(" ")} not ready in ${timeoutMs} ms:\n${output}`)),
        timeoutMs,
      );
    });
    const ready = options.ready;
    const readiness =
      "line" in ready
        ? new Promise<RegExpMatchArray>((resolve) => {
            lineWaiters.push((line) => {
              const match = line.match(ready.line);
              if (match) resolve(match);
            });
          })
        : waitForPort(ready.port, ready.host ?? "127.0.0.1").then(() => null);
    try {
      const match = await Promise.race([readiness, failEarly, timeout]);
      (handle as { readyMatch: RegExpMatchArray | null }).readyMatch = match;
    } catch (error) {
      await handle.stop();
      throw error;
    } finally {
      clearTimeout(timer);
      failEarly.catch(() => undefined);
    }
    return handle;
  }

  /**
   * Start a fixture daemon `fixtures/<script>` that prints `READY <json>` once serving;
   * returns the process and the parsed JSON (URIs, ports).
   */
  async startFixture<T = Record<string, unknown>>(
    script: string,
    args: string[] = [],
    options: Omit<StartOptions, "ready"> = {},
  ): Promise<{ process: PythonProcess; info: T }> {
    const proc = await this.start([path.join(FIXTURES, script), ...args], {
      ...options,
      ready: { line: /^READY (.*)$/ },
    });
    return { process: proc, info: JSON.parse(proc.readyMatch?.[1] ?? "{}") as T };
  }

  /**
   * Start a real Pyro4 (or Pyro5) name server on 127.0.0.1 (no broadcast responder unless asked),
   * returning its port.
   */
  async startNameServer(
    options: {
      port?: number;
      broadcastPort?: number;
      env?: Record<string, string>;
      generation?: 4 | 5;
    } = {},
  ): Promise<{ process: PythonProcess; port: number }> {
    const port = options.port ?? (await freePort());
    const module = options.generation === 5 ? "Pyro5.nameserver" : "Pyro4.naming";
    const args = ["-m", module, "-n", "127.0.0.1", "-p", String(port)];
    if (options.broadcastPort === undefined) args.push("-x");
    const env: Record<string, string> = { ...options.env };
    if (options.broadcastPort !== undefined) {
      env["PYRO_NS_BCPORT"] = String(options.broadcastPort);
      env["PYRO_NS_BCHOST"] = "127.0.0.1";
    }
    const proc = await this.start(args, {
      ready: { port },
      env,
      ...(options.generation === undefined ? {} : { generation: options.generation }),
    });
    return { process: proc, port };
  }

  /** Stop every process of this group, each by its PID. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.#running].map((proc) => proc.stop()));
  }
}

async function waitForPort(port: number, host: string): Promise<void> {
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ port, host });
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
