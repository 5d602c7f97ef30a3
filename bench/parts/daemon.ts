/**
 * `npm run bench -- daemon`: pyrogen's callback daemon. Case `ts-daemon`: sequential
 * `echo("hello, pyro")` calls/s of pyrogen's client against pyrogen's daemon, next to Pyro4's
 * client against Pyro4's daemon, per serializer, in the same run. Case
 * `ts-daemon-python-client` isolates the daemon: Pyro4's client against pyrogen's daemon
 * vs. against Pyro4's daemon, in calls/s and in the daemon process's CPU time per call
 * (from /proc, so it does not depend on how busy the machine is). Every daemon runs in a
 * process of its own on 127.0.0.1. Figures are medians of 3 interleaved runs.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PyroProxy } from "../../src/runtime/proxy.js";
import type { SerializerName } from "../../src/runtime/serializers/serializer.js";
import { FIXTURES, findPython, pythonEnv } from "../../test/harness/python.js";
import { median, row, type BenchRow } from "../lib.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const SERIALIZERS: readonly SerializerName[] = ["serpent", "json", "marshal", "msgpack"];
const CALLS = 5000;
const RUNS = 3;
const SMALL = "hello, pyro";

/** Start a server process and wait for its `READY {json}` line. */
async function startServer(
  command: string,
  args: string[],
): Promise<{ child: ChildProcess; uri: string }> {
  const child = spawn(command, args, { env: pythonEnv(), stdio: ["ignore", "pipe", "inherit"] });
  child.stdout!.setEncoding("utf8");
  let buffered = "";
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk: string) => {
      buffered += chunk;
      const match = /^READY (.*)$/m.exec(buffered);
      if (match) resolve((JSON.parse(match[1]!) as { uri: string }).uri);
    });
    child.once("exit", (code) =>
      reject(new Error(`${command} ${args.join(" ")} exited (${code}) before READY`)),
    );
  });
  return { child, uri: await ready };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = once(child, "exit");
  process.kill(child.pid, "SIGTERM");
  await exited;
}

const CLOCK_TICKS =
  Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Run `measure` and also return the daemon's CPU µs per call meanwhile. */
async function withDaemonCpu(
  daemon: ChildProcess,
  measure: () => number | Promise<number>,
): Promise<{ callsPerSecond: number; cpuMicros: number }> {
  const before = cpuSeconds(daemon.pid!);
  const callsPerSecond = await measure();
  return { callsPerSecond, cpuMicros: ((cpuSeconds(daemon.pid!) - before) * 1e6) / CALLS };
}

/** Calls/s of pyrogen's client: sequential echo calls after a warm-up. */
async function tsCallsPerSecond(uri: string, serializer: SerializerName): Promise<number> {
  await using proxy = new PyroProxy(uri, { serializer });
  for (let i = 0; i < 200; i++) await proxy.$call("echo", [SMALL]);
  const start = performance.now();
  for (let i = 0; i < CALLS; i++) await proxy.$call("echo", [SMALL]);
  return (CALLS * 1000) / (performance.now() - start);
}

/** Calls/s of Pyro4's client (bench/calls_client.py, one request: case "small"). */
function pythonCallsPerSecond(uri: string, serializer: SerializerName): number {
  const request = { target: uri, serializer, case: "small", count: CALLS };
  const out = execFileSync(findPython(), [path.join(here, "../calls_client.py")], {
    env: pythonEnv(),
    encoding: "utf8",
    input: JSON.stringify(request) + "\n",
  });
  return (JSON.parse(out) as { calls_per_s: number }).calls_per_s;
}

/** The benchmark rows; see the module comment. */
export async function run(): Promise<BenchRow[]> {
  const tsDaemon = await startServer(process.execPath, [
    "--import",
    "tsx",
    path.join(here, "../daemon_server.ts"),
  ]);
  const pyDaemon = await startServer(findPython(), [
    path.join(FIXTURES, "bench_server.py"),
    "--host",
    "127.0.0.1",
  ]);
  const rows: BenchRow[] = [];
  try {
    for (const serializer of SERIALIZERS) {
      // Rounds interleave the three set-ups so load changes hit them alike.
      const tsToTs: number[] = [];
      const pyToPy: Array<{ callsPerSecond: number; cpuMicros: number }> = [];
      const pyToTs: Array<{ callsPerSecond: number; cpuMicros: number }> = [];
      for (let round = 0; round < RUNS; round++) {
        tsToTs.push(await tsCallsPerSecond(tsDaemon.uri, serializer));
        pyToPy.push(
          await withDaemonCpu(pyDaemon.child, () => pythonCallsPerSecond(pyDaemon.uri, serializer)),
        );
        pyToTs.push(
          await withDaemonCpu(tsDaemon.child, () => pythonCallsPerSecond(tsDaemon.uri, serializer)),
        );
      }
      const rate = (runs: typeof pyToPy): number => median(runs.map((r) => r.callsPerSecond));
      const cpu = (runs: typeof pyToPy): number => median(runs.map((r) => r.cpuMicros));
      rows.push(
        row({
          case: "ts-daemon",
          serializer,
          metric: "calls/s",
          pyrogen: median(tsToTs),
          python: rate(pyToPy),
        }),
        row({
          case: "ts-daemon-python-client",
          serializer,
          metric: "calls/s",
          pyrogen: rate(pyToTs),
          python: rate(pyToPy),
        }),
        row(
          {
            case: "ts-daemon-python-client",
            serializer,
            metric: "daemon cpu µs/call",
            pyrogen: cpu(pyToTs),
            python: cpu(pyToPy),
          },
          "lower",
        ),
      );
    }
  } finally {
    await Promise.all([stop(tsDaemon.child), stop(pyDaemon.child)]);
  }
  return rows;
}
