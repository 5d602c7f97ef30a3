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
 * figure is the median of 3 rounds after a warm-up round, on both sides; like the Python
 * side, a case keeps one proxy (one name-server proxy for `ns-lookup`) across its rounds.
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

/** Where a case runs: the daemon's URI, the serializer, the name server's port. */
interface Target {
  uri: string;
  serializer: SerializerName;
  nsPort: number;
}

/** A case's client state, kept across its rounds (as the Python side keeps its proxy). */
interface Session {
  /** One round: returns the figure (ms or per-second rate). */
  round(): Promise<number>;
  close(): void;
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
async function onProxy(target: Target, round: (proxy: Proxy) => Promise<number>): Promise<Session> {
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
        const start = performance.now();
        const results = [...(await batch.send())];
        const elapsed = performance.now() - start;
        if (results.length !== count) throw new Error(`batch gave ${results.length} results`);
        return elapsed;
      }),
  },
  {
    name: "iterator",
    count: 5000,
    metric: "items/s",
    better: "higher",
    open: (target, count) =>
      onProxy(target, async (proxy) => {
        const start = performance.now();
        let items = 0;
        for await (const _item of (await proxy.$call("gen", [count])) as AsyncIterable<unknown>) {
          items++;
        }
        const seconds = (performance.now() - start) / 1000;
        if (items !== count) throw new Error(`iterator gave ${items} items`);
        return count / seconds;
      }),
  },
  {
    name: "oneway",
    count: 5000,
    metric: "calls/s sent",
    better: "higher",
    open: (target, count) =>
      onProxy(target, async (proxy) => {
        const start = performance.now();
        for (let i = 0; i < count; i++) await proxy.$call("bump", [], undefined, { oneway: true });
        const seconds = (performance.now() - start) / 1000;
        // Let the daemon catch up before the next round, as the Python side does.
        await proxy.$call("bumps");
        return count / seconds;
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
          const start = performance.now();
          for (let i = 0; i < count; i++) await ns.lookup(NAME);
          return (performance.now() - start) / count;
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
          const start = performance.now();
          for (let i = 0; i < count; i++) {
            await using ns = await locateNS({
              host: "127.0.0.1",
              port: target.nsPort,
              proxyOptions: { serializer: target.serializer },
            });
            await ns.lookup(NAME);
          }
          return (performance.now() - start) / count;
        },
        close: () => undefined,
      };
    },
  },
];

/** A warm-up round, then the median of 3, on one session. */
async function rounds(session: Session): Promise<number> {
  try {
    await session.round();
    const figures: number[] = [];
    for (let i = 0; i < 3; i++) figures.push(await session.round());
    return median(figures);
  } finally {
    session.close();
  }
}

/** The Python client's figure, or `null` when Pyro4 cannot do it (marshal batches). */
function python(
  uri: string,
  serializer: string,
  name: string,
  count: number,
  nsPort: number,
): number | null {
  const args = [CLIENT, uri, serializer, name, String(count), "127.0.0.1", String(nsPort)];
  const out = execFileSync(findPython(), args, { env: pythonEnv(), encoding: "utf8" });
  return (JSON.parse(out) as { value: number | null }).value;
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
        rows.push(
          row({ case: c.name, serializer, metric: c.metric, pyrogen: ts, python: py }, c.better),
        );
      }
    }
    return rows;
  } finally {
    await processes.stopAll();
  }
}
