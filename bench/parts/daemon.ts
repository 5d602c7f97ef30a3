/**
 * `npm run bench -- daemon`: pyrogen's daemon (`bench/daemon_server.ts`) against Pyro4's
 * daemon (`fixtures/bench_server.py`), each in a process of its own on 127.0.0.1, serving
 * sequential `echo("hello, pyro")` calls, per serializer.
 *
 * Each daemon is judged with the client held fixed, for both clients:
 * `ts-daemon/ts-client` is pyrogen's client against pyrogen's daemon next to the same
 * client against Pyro4's daemon, `ts-daemon/python-client` the same with Pyro4's client
 * (`bench/calls_client.py`, one process for the part). `ts-daemon+client` shows pyrogen at
 * both ends against Pyro4 at both ends (reported, not judged). Rows: calls/s, the client's
 * CPU per call and the daemon process's CPU per call over the same calls
 * (`bench/measure.ts`).
 *
 * The method is the `calls` part's: clients and daemons pinned (`bench/placement.ts`),
 * {@link WARMUP_ROUNDS} unmeasured rounds (pyrogen's daemon is compiled by V8 as it serves,
 * like the client), then {@link ROUNDS} rounds of the four client–daemon pairs in an order
 * that rotates from round to round, each kept out of the host's slow periods
 * (`bench/host-watch.ts`); ratios are medians of the per-round ratios, spreads their
 * interquartile range.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PyroProxy } from "../runtime.js";
import type { SerializerName } from "../../src/runtime/serializers/serializer.js";
import { PythonProcesses, pythonEnv } from "../../test/harness/python.js";
import { rotatedRounds, type BenchRow } from "../lib.js";
import {
  CallMeter,
  collectGarbage,
  measuredRounds,
  figureRows,
  PythonCallsClient,
  type Budget,
  type Figures,
} from "../measure.js";
import { HostWatch } from "../host-watch.js";
import { withPlacement, type Placer } from "../placement.js";
import { judge, type Target } from "../targets.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const SERIALIZERS: readonly SerializerName[] = ["serpent", "json", "marshal", "msgpack"];
/** How long each measurement times calls, on both sides. */
const MEASURE: Budget = { seconds: 0.3 };
const ROUNDS = measuredRounds(9);
const WARMUP_ROUNDS = 2;
const SMALL = "hello, pyro";
const PYRO4_DAEMON = "Pyro4's daemon, same client";

/** The issue's targets for this part (issue 17): at least Pyro4's daemon, for either client. */
export const TARGETS: readonly Target[] = [
  { case: "ts-daemon/ts-client", metric: "calls/s", atLeast: 1.0 },
  { case: "ts-daemon/python-client", metric: "calls/s", atLeast: 1.0 },
];

/** A daemon under test: its URI and process id. */
interface Daemon {
  uri: string;
  pid: number;
}

/** Start pyrogen's bench daemon and wait for its `READY {json}` line. */
async function startTsDaemon(): Promise<{ child: ChildProcess; daemon: Daemon }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(here, "../daemon_server.ts")],
    {
      env: pythonEnv(),
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  child.stdout!.setEncoding("utf8");
  let buffered = "";
  const uri = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk: string) => {
      buffered += chunk;
      const match = /^READY (.*)$/m.exec(buffered);
      if (match) resolve((JSON.parse(match[1]!) as { uri: string }).uri);
    });
    child.once("exit", (code) =>
      reject(new Error(`daemon_server.ts exited (${code}) before READY`)),
    );
  });
  return { child, daemon: { uri, pid: child.pid! } };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = once(child, "exit");
  process.kill(child.pid, "SIGTERM");
  await exited;
}

/** Sequential small calls of pyrogen's client on one new proxy, after a warm-up. */
async function pyrogenCalls(
  meter: CallMeter,
  daemon: Daemon,
  serializer: SerializerName,
): Promise<Figures> {
  const proxy = new PyroProxy(daemon.uri, { serializer });
  try {
    return await meter.calls(daemon.pid, MEASURE, () => proxy.$call("echo", [SMALL]));
  } finally {
    proxy.$release();
  }
}

/** The rows of one serializer from the rounds of the four client–daemon pairs. */
export function serializerRows(serializer: string, results: Record<string, Figures[]>): BenchRow[] {
  const { tsTs, tsPy, pyTs, pyPy } = results as Record<
    "tsTs" | "tsPy" | "pyTs" | "pyPy",
    Figures[]
  >;
  const vsPyro4 = (name: string) => ({ case: name, serializer, baseline: PYRO4_DAEMON });
  return [
    ...figureRows(vsPyro4("ts-daemon/ts-client"), tsTs, tsPy),
    ...figureRows(vsPyro4("ts-daemon/python-client"), pyTs, pyPy),
    ...figureRows({ case: "ts-daemon+client", serializer }, tsTs, pyPy),
  ];
}

/** The benchmark rows; see the module comment. */
export function run(): Promise<BenchRow[]> {
  return withPlacement(measure);
}

async function measure(placer: Placer): Promise<BenchRow[]> {
  const processes = new PythonProcesses();
  const python = new PythonCallsClient(path.join(here, "../calls_client.py"));
  const meter = new CallMeter();
  let tsChild: ChildProcess | undefined;
  try {
    const ts = await startTsDaemon();
    tsChild = ts.child;
    const started = await processes.startFixture<{ uri: string }>("bench_server.py");
    const py: Daemon = { uri: started.info.uri, pid: started.process.pid };
    placer.daemon(ts.daemon.pid, "together");
    placer.daemon(py.pid, "together");
    placer.client(python.pid);
    const watch = HostWatch.over(placer);
    const rows: BenchRow[] = [];
    for (const serializer of SERIALIZERS) {
      const pythonCalls = (daemon: Daemon) =>
        python.measure({
          target: daemon.uri,
          serializer,
          case: "small",
          daemon_pid: daemon.pid,
          ...MEASURE,
        });
      collectGarbage();
      const guard = watch?.guard("together", ROUNDS);
      let results;
      try {
        results = await rotatedRounds(
          WARMUP_ROUNDS,
          ROUNDS,
          {
            tsTs: () => pyrogenCalls(meter, ts.daemon, serializer),
            tsPy: () => pyrogenCalls(meter, py, serializer),
            pyTs: () => pythonCalls(ts.daemon),
            pyPy: () => pythonCalls(py),
          },
          guard,
        );
      } finally {
        placer.swapCpus(false);
      }
      rows.push(...serializerRows(serializer, results as Record<string, Figures[]>));
    }
    if (watch !== undefined) console.log(watch.summary());
    return judge(rows, TARGETS);
  } finally {
    await meter.close();
    await python.close();
    if (tsChild !== undefined) await stop(tsChild);
    await processes.stopAll();
  }
}
