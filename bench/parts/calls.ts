/**
 * `npm run bench -- calls`: remote calls through pyrogen's Proxy against Python Pyro4's own
 * client, both on the same Pyro4 daemon (`fixtures/bench_server.py`) in the same run.
 *
 * Rows per serializer: `small` (`echo("hello, pyro")`), `str-10KiB`, `bytes-1MiB` (not json:
 * it has no bytes), `connect` (new proxy + connect + first call), each sequential with one
 * caller; `pipelined`: 10,000 small calls from 100 concurrent callers on one proxy, against
 * Python's sequential small calls (a Python proxy serializes its callers with a lock).
 * Metrics: calls/s, and client CPU µs per call (`process.cpuUsage()` here,
 * `time.process_time()` in Python; ratio = Python / pyrogen). `raw-tcp`: a bare 100-byte
 * socket round trip against a trivial echo server, from Node and from Python — the floor
 * this machine sets; `CPU above floor` subtracts it from the small-call CPU.
 * Every figure is the median of 3 runs.
 */
import { execFileSync } from "node:child_process";
import { connect, type Socket } from "node:net";
import { once } from "node:events";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PythonProcesses, findPython, pythonEnv } from "../../test/harness/python.js";
import { median, row, type BenchRow } from "../lib.js";
import { Proxy } from "../../src/runtime/proxy.js";
import type { SerializerName } from "../../src/runtime/serializers/serializer.js";

const SERIALIZERS: readonly SerializerName[] = ["serpent", "json", "marshal", "msgpack"];
const RUNS = 3;
const RAW_SIZE = 100;
const PIPELINED_CALLS = 10_000;
const PIPELINED_CALLERS = 100;
const CLIENT = path.join(path.dirname(fileURLToPath(import.meta.url)), "../calls_client.py");

/** One measurement: throughput and client CPU per call. */
interface Figures {
  calls_per_s: number;
  cpu_us_per_call: number;
}

type Case = "small" | "str-10KiB" | "bytes-1MiB" | "connect";

const PAYLOADS: Record<Exclude<Case, "connect">, () => unknown> = {
  small: () => "hello, pyro",
  "str-10KiB": () => "x".repeat(10240),
  "bytes-1MiB": () => new Uint8Array(1 << 20).fill(1),
};

function callCount(name: Case, serializer: SerializerName): number {
  if (name === "small") return 4000;
  if (name === "str-10KiB") return 2000;
  if (name === "connect") return 400;
  return serializer === "serpent" ? 15 : 60;
}

/** Time `count` runs of `fn` after a warm-up: wall clock and this process's CPU. */
async function measure(
  count: number,
  warmup: number,
  fn: () => Promise<unknown>,
): Promise<Figures> {
  for (let i = 0; i < warmup; i++) await fn();
  const wall = performance.now();
  const cpu = process.cpuUsage();
  for (let i = 0; i < count; i++) await fn();
  const used = process.cpuUsage(cpu);
  const seconds = (performance.now() - wall) / 1000;
  return { calls_per_s: count / seconds, cpu_us_per_call: (used.user + used.system) / count };
}

function python(target: string, serializer: string, name: string, count: number): Figures {
  const out = execFileSync(findPython(), [CLIENT, target, serializer, name, String(count)], {
    env: pythonEnv(),
    encoding: "utf8",
  });
  return JSON.parse(out) as Figures;
}

async function pyrogenCase(uri: string, serializer: SerializerName, name: Case): Promise<Figures> {
  const count = callCount(name, serializer);
  if (name === "connect") {
    return measure(count, 20, async () => {
      const proxy = new Proxy(uri, { serializer });
      await proxy.$call("echo", ["hello, pyro"]);
      proxy.$release();
    });
  }
  const payload = PAYLOADS[name]();
  const proxy = new Proxy(uri, { serializer });
  try {
    return await measure(count, Math.min(count, 200), () => proxy.$call("echo", [payload]));
  } finally {
    proxy.$release();
  }
}

async function pyrogenPipelined(uri: string, serializer: SerializerName): Promise<Figures> {
  const proxy = new Proxy(uri, { serializer });
  try {
    await Promise.all(Array.from({ length: 500 }, () => proxy.$call("echo", ["hello, pyro"])));
    const perCaller = PIPELINED_CALLS / PIPELINED_CALLERS;
    const wall = performance.now();
    const cpu = process.cpuUsage();
    await Promise.all(
      Array.from({ length: PIPELINED_CALLERS }, async () => {
        for (let i = 0; i < perCaller; i++) await proxy.$call("echo", ["hello, pyro"]);
      }),
    );
    const used = process.cpuUsage(cpu);
    const seconds = (performance.now() - wall) / 1000;
    return {
      calls_per_s: PIPELINED_CALLS / seconds,
      cpu_us_per_call: (used.user + used.system) / PIPELINED_CALLS,
    };
  } finally {
    proxy.$release();
  }
}

async function nodeRawTcp(port: number, count: number): Promise<Figures> {
  const socket: Socket = connect({ host: "127.0.0.1", port });
  await once(socket, "connect");
  socket.setNoDelay(true);
  const message = Buffer.alloc(RAW_SIZE, 0x78);
  let received = 0;
  let done: (() => void) | undefined;
  socket.on("data", (chunk: Buffer) => {
    received += chunk.length;
    if (received >= RAW_SIZE) {
      received -= RAW_SIZE;
      done?.();
    }
  });
  const roundTrip = (): Promise<void> =>
    new Promise<void>((resolve) => {
      done = resolve;
      socket.write(message);
    });
  try {
    return await measure(count, 500, roundTrip);
  } finally {
    socket.destroy();
  }
}

/** The median of each figure over {@link RUNS} runs. */
async function medianFigures(run: () => Figures | Promise<Figures>): Promise<Figures> {
  const runs: Figures[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await run());
  return {
    calls_per_s: median(runs.map((r) => r.calls_per_s)),
    cpu_us_per_call: median(runs.map((r) => r.cpu_us_per_call)),
  };
}

function rowsFor(
  name: string,
  serializer: string,
  ts: Figures | null,
  py: Figures | null,
): BenchRow[] {
  return [
    row({
      case: name,
      serializer,
      metric: "calls/s",
      pyrogen: ts?.calls_per_s ?? null,
      python: py?.calls_per_s ?? null,
    }),
    row(
      {
        case: name,
        serializer,
        metric: "client CPU us/call",
        pyrogen: ts?.cpu_us_per_call ?? null,
        python: py?.cpu_us_per_call ?? null,
      },
      "lower",
    ),
  ];
}

/** Run the part: start the bench daemon, measure both clients, return the rows. */
export async function run(): Promise<BenchRow[]> {
  const processes = new PythonProcesses();
  try {
    const { info } = await processes.startFixture<{ uri: string; raw_port: number }>(
      "bench_server.py",
    );
    const rows: BenchRow[] = [];
    const rawCount = 10_000;
    const rawTs = await medianFigures(() => nodeRawTcp(info.raw_port, rawCount));
    const rawPy = await medianFigures(() =>
      python(`127.0.0.1:${info.raw_port}`, "-", "raw-tcp", rawCount),
    );
    rows.push(...rowsFor("raw-tcp", "-", rawTs, rawPy));
    for (const serializer of SERIALIZERS) {
      let pySmall: Figures | null = null;
      for (const name of ["small", "str-10KiB", "bytes-1MiB", "connect"] as const) {
        if (name === "bytes-1MiB" && serializer === "json") {
          rows.push(...rowsFor(name, serializer, null, null));
          continue;
        }
        const count = callCount(name, serializer);
        const ts = await medianFigures(() => pyrogenCase(info.uri, serializer, name));
        const py = await medianFigures(() => python(info.uri, serializer, name, count));
        rows.push(...rowsFor(name, serializer, ts, py));
        if (name === "small") {
          pySmall = py;
          rows.push(
            row(
              {
                case: name,
                serializer,
                metric: "CPU above floor us/call",
                pyrogen: ts.cpu_us_per_call - rawTs.cpu_us_per_call,
                python: py.cpu_us_per_call - rawPy.cpu_us_per_call,
              },
              "lower",
            ),
          );
        }
      }
      const pipelined = await medianFigures(() => pyrogenPipelined(info.uri, serializer));
      rows.push(...rowsFor("pipelined", serializer, pipelined, pySmall));
    }
    return rows;
  } finally {
    await processes.stopAll();
  }
}
