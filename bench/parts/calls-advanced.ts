/**
 * `npm run bench -- calls-advanced`: batches, remote iterators, oneway calls and name-server
 * lookups through pyrogen, next to Python Pyro4's own client on the same daemon and name
 * server (`fixtures/advanced_server.py`, `fixtures/name_server.py`) in the same run.
 *
 * Cases, per serializer: `batch-10k` (one batch of 10,000 `echo(i)`, ms), `iterator`
 * (items/s of a remote generator), `oneway` (client send rate of oneway calls, calls/s; the
 * daemon runs oneway calls inline, ONEWAY_THREADED off, so 20k threads do not swamp the
 * two cores), `ns-lookup` (`lookup()` on a bound name-server proxy, ms) and
 * `ns-lookup-fresh` (locate the name server on a new connection + `lookup()`, ms). Each
 * figure is the median of 3 rounds after 3 warm-up rounds, on both sides (V8 is still
 * compiling the hot paths during the first rounds; Python has nothing to warm); like the Python
 * side, a case keeps one proxy (one name-server proxy for `ns-lookup`) across its rounds.
 * Each case also has a `client CPU us/op` row: the client process's CPU time over the same
 * timed region (`process.cpuUsage()` / `time.process_time()`), per call, item or lookup —
 * steadier than wall time on a shared machine, where the daemon competes for the cores.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { locateNS } from "../../src/runtime/naming/index.js";
import { Proxy } from "../../src/runtime/proxy.js";
import "../../src/runtime/stream.js";
import type { SerializerName } from "../../src/runtime/serializers/serializer.js";
import { startAdvanced, startNameServer } from "../../test/harness/advanced.js";
import { PythonProcesses, findPython, pythonEnv } from "../../test/harness/python.js";
import { median, row, type Better, type BenchRow } from "../lib.js";

const SERIALIZERS: readonly SerializerName[] = ["serpent", "json", "marshal", "msgpack"];
const CLIENT = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  "../calls_advanced_client.py",
);
const NAME = "adv.main";
/** Rounds run before the measured ones, on both sides (`bench/calls_advanced_client.py`). */
const WARMUP_ROUNDS = 3;

/** Where a case runs: the daemon's URI, the serializer, the name server's port. */
interface Target {
  uri: string;
  serializer: SerializerName;
  nsPort: number;
}

/** One round's results: the case's figure and the client CPU per operation. */
interface Round {
  /** ms or per-second rate, as the case's metric says. */
  figure: number;
  cpuUs: number;
}

/** A case's client state, kept across its rounds (as the Python side keeps its proxy). */
interface Session {
  round(): Promise<Round>;
  close(): void;
}

/** Run `timed` (`count` operations), measuring wall ms and client CPU µs per operation. */
async function measure(
  count: number,
  timed: () => Promise<void>,
): Promise<{ ms: number; cpuUs: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await timed();
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { ms, cpuUs: (used.user + used.system) / count };
}

/** One case: how many operations, what the figure means, and pyrogen's side of it. */
interface Case {
  name: string;
  count: number;
  metric: string;
  better: Better;
  open(target: Target, count: number): Promise<Session>;
}

/** A session on one bound proxy to the daemon. */
async function onProxy(target: Target, round: (proxy: Proxy) => Promise<Round>): Promise<Session> {
  const proxy = new Proxy(target.uri, { serializer: target.serializer });
  await proxy.$bind();
  return { round: () => round(proxy), close: () => proxy.$release() };
}

const CASES: readonly Case[] = [
  {
    name: "batch-10k",
    count: 10_000,
    metric: "ms per batch",
    better: "lower",
    open: (target, count) =>
      onProxy(target, async (proxy) => {
        const batch = proxy.$batch();
        for (let i = 0; i < count; i++) batch.call("echo", [i]);
        let results: unknown[] = [];
        const { ms, cpuUs } = await measure(count, async () => {
          results = [...(await batch.send())];
        });
        if (results.length !== count) throw new Error(`batch gave ${results.length} results`);
        return { figure: ms, cpuUs };
      }),
  },
  {
    name: "iterator",
    count: 5000,
    metric: "items/s",
    better: "higher",
    open: (target, count) =>
      onProxy(target, async (proxy) => {
        let items = 0;
        const { ms, cpuUs } = await measure(count, async () => {
          const stream = (await proxy.$call("gen", [count])) as AsyncIterable<unknown>;
          for await (const _item of stream) items++;
        });
        if (items !== count) throw new Error(`iterator gave ${items} items`);
        return { figure: count / (ms / 1000), cpuUs };
      }),
  },
  {
    name: "oneway",
    count: 5000,
    metric: "calls/s sent",
    better: "higher",
    open: (target, count) =>
      onProxy(target, async (proxy) => {
        const { ms, cpuUs } = await measure(count, async () => {
          for (let i = 0; i < count; i++) {
            await proxy.$call("bump", [], undefined, { oneway: true });
          }
        });
        // Let the daemon catch up before the next round, as the Python side does.
        await proxy.$call("bumps");
        return { figure: count / (ms / 1000), cpuUs };
      }),
  },
  {
    name: "ns-lookup",
    count: 2000,
    metric: "ms per lookup",
    better: "lower",
    async open(target, count) {
      const ns = await locateNS({
        host: "127.0.0.1",
        port: target.nsPort,
        proxyOptions: { serializer: target.serializer },
      });
      return {
        async round() {
          const { ms, cpuUs } = await measure(count, async () => {
            for (let i = 0; i < count; i++) await ns.lookup(NAME);
          });
          return { figure: ms / count, cpuUs };
        },
        close: () => ns.release(),
      };
    },
  },
  {
    name: "ns-lookup-fresh",
    count: 300,
    metric: "ms per locate+lookup",
    better: "lower",
    async open(target, count) {
      return {
        async round() {
          const { ms, cpuUs } = await measure(count, async () => {
            for (let i = 0; i < count; i++) {
              await using ns = await locateNS({
                host: "127.0.0.1",
                port: target.nsPort,
                proxyOptions: { serializer: target.serializer },
              });
              await ns.lookup(NAME);
            }
          });
          return { figure: ms / count, cpuUs };
        },
        close: () => undefined,
      };
    },
  },
];

/** Warm-up rounds, then the medians of 3 (figure and CPU apart), on one session. */
async function rounds(session: Session): Promise<Round> {
  try {
    for (let i = 0; i < WARMUP_ROUNDS; i++) await session.round();
    const results: Round[] = [];
    for (let i = 0; i < 3; i++) results.push(await session.round());
    return {
      figure: median(results.map((r) => r.figure)),
      cpuUs: median(results.map((r) => r.cpuUs)),
    };
  } finally {
    session.close();
  }
}

/** The Python client's figures, `null` when Pyro4 cannot do it (marshal batches). */
function python(
  uri: string,
  serializer: string,
  name: string,
  count: number,
  nsPort: number,
): { value: number | null; cpuUs: number | null } {
  const args = [CLIENT, uri, serializer, name, String(count), "127.0.0.1", String(nsPort)];
  const out = execFileSync(findPython(), args, { env: pythonEnv(), encoding: "utf8" });
  const parsed = JSON.parse(out) as { value: number | null; cpu_us?: number | null };
  return { value: parsed.value, cpuUs: parsed.cpu_us ?? null };
}

/** Run the part: start the name server and daemon, measure both clients, return the rows. */
export async function run(): Promise<BenchRow[]> {
  const processes = new PythonProcesses();
  try {
    const nsPort = (await startNameServer(processes)).info.port;
    const { info } = await startAdvanced(processes, {
      nsPort,
      env: { PYRO_ONEWAY_THREADED: "false" },
    });
    const rows: BenchRow[] = [];
    for (const serializer of SERIALIZERS) {
      for (const c of CASES) {
        const ts = await rounds(await c.open({ uri: info.uri, serializer, nsPort }, c.count));
        const py = python(info.uri, serializer, c.name, c.count, nsPort);
        const base = { case: c.name, serializer };
        rows.push(
          row({ ...base, metric: c.metric, pyrogen: ts.figure, python: py.value }, c.better),
          row(
            { ...base, metric: "client CPU us/op", pyrogen: ts.cpuUs, python: py.cpuUs },
            "lower",
          ),
        );
      }
    }
    return rows;
  } finally {
    await processes.stopAll();
  }
}
