/**
 * Long-lived helper processes of the bench parts, Python clients above all: one JSON request
 * per stdin line, one JSON reply per stdout line. Python's start-up and imports are paid once
 * per part, and each measurement runs right next to pyrogen's.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { pyro5Env } from "../test/harness/generations.js";
import { findPython, pythonEnv } from "../test/harness/python.js";

/** A long-lived helper process of a bench part; stop it with {@link BenchProcess.close}. */
export class BenchProcess {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #lines: AsyncIterator<string>;

  constructor(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env) {
    this.#child = spawn(command, args, { env, stdio: "pipe" });
    this.#child.stderr.pipe(process.stderr);
    this.#lines = createInterface({ input: this.#child.stdout })[Symbol.asyncIterator]();
  }

  /** The process's id. */
  get pid(): number {
    return this.#child.pid!;
  }

  /** Send one request and wait for its reply. */
  async ask<T>(request: object): Promise<T> {
    this.#child.stdin.write(JSON.stringify(request) + "\n");
    const line = await this.#lines.next();
    if (line.done === true) throw new Error("the bench helper process exited");
    return JSON.parse(line.value) as T;
  }

  /** End the process (closing its stdin) and wait until it has exited. */
  async close(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = once(this.#child, "exit");
    this.#child.stdin.end();
    await exited;
  }
}

/** A Python bench client (`bench/*_client.py`, `bench/*_python.py`). */
export class PythonBenchClient extends BenchProcess {
  /** `generation` 5 runs the script with Pyro5 (its `pyro_peer` import maps Pyro4's names). */
  constructor(script: string, generation: 4 | 5 = 4) {
    const env = generation === 5 ? pyro5Env(pythonEnv(), findPython()) : pythonEnv();
    super(findPython(), [script], env);
  }
}
