/**
 * `npm run bench -- calls-advanced`: batches, remote iterators, oneway calls and name-server
 * lookups through pyrogen, next to Python Pyro4's own client on the same daemon and name
 * server (`fixtures/advanced_server.py`, `fixtures/name_server.py`) in the same run.
 *
 * Cases, per serializer: `batch-10k` (one batch of 10,000 `echo(i)`, ms), `burst-10` (10
 * concurrent `echo(i)` on one proxy, ms per burst; a Pyro4 proxy serves concurrent callers
 * one at a time, so Python's side makes the 10 calls in turn), `text-10KiB` (`echo` of
 * {@link MULTILINE_TEXT}, 10 KiB of lines, calls/s: text that json and serpent must escape
 * on the way out and unescape on the way back), `text-1MiB` (the same text over and over,
 * 1 MiB of it: a reply large enough to be read into memory of its own), `iterator`
 * (items/s of a remote generator), `oneway` (client send rate of oneway calls, calls/s; the
 * daemon runs oneway calls inline, ONEWAY_THREADED off, so 20k threads do not swamp the
 * two cores), `ns-lookup` (`lookup()` on a bound name-server proxy, ms) and
 * `ns-lookup-fresh` (locate the name server on a new connection + `lookup()`, ms). Each
 * case keeps one proxy (one name-server proxy for `ns-lookup`) across its rounds, on both
 * sides. Each case also has a `client CPU us/op` row: the client process's CPU time over
 * the same timed region (`process.cpuUsage()` / `time.process_time()`), per call, item or
 * lookup — steadier than wall time on a shared machine, where the daemon competes for the
 * cores.
 *
 * As in the `calls` part: unmeasured rounds first ({@link WARMUP_ROUNDS}, or the case's
 * own `warmupRounds`: V8 is still compiling the hot paths during the first ones, and a
 * path run once per connection takes ~2,800 connections), then {@link ROUNDS} rounds in which pyrogen and
 * Python run back to back, the order alternating; a row shows each side's median and the
 * median of the per-round ratios, and the spread their interquartile range. Clients and the
 * daemon and name server are pinned as in the `calls` part (`bench/placement.ts`), and the
 * rounds kept out of the host's slow periods as there (`bench/host-watch.ts`). The
 * Python client is one long-lived process (`bench/calls_advanced_client.py`).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { locateNS, PyroProxy } from "../runtime.js";
import type { SerializerName } from "../../src/runtime/serializers/serializer.js";
import { startAdvanced, startNameServer } from "../../test/harness/advanced.js";
import { PythonProcesses } from "../../test/harness/python.js";
import { PythonBenchClient } from "../python-client.js";
import { pairedRounds, pairedRow, type Better, type BenchRow } from "../lib.js";
import { collectGarbage, measuredRounds, selectedFrom } from "../measure.js";
import { HostWatch } from "../host-watch.js";
import { withPlacement, type Placer } from "../placement.js";

const SERIALIZERS: readonly SerializerName[] = ["serpent", "json", "marshal", "msgpack"];
const CLIENT = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  "../calls_advanced_client.py",
);
const NAME = "adv.main";
/** Rounds run before the measured ones, on both sides, unless a case says otherwise. */
const WARMUP_ROUNDS = 3;
/** Measured rounds, pyrogen and Python back to back in each. */
const ROUNDS = measuredRounds(5);

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
  /** Unmeasured rounds, when not {@link WARMUP_ROUNDS}. */
  warmupRounds?: number;
  metric: string;
  better: Better;
  open(target: Target, count: number): Promise<Session>;
}

/** A session on one bound proxy to the daemon. */
async function onProxy(
  target: Target,
  round: (proxy: PyroProxy) => Promise<Round>,
): Promise<Session> {
  const proxy = new PyroProxy(target.uri, { serializer: target.serializer });
  await proxy.$bind();
  return { round: () => round(proxy), close: () => proxy.$release() };
}

/**
 * 128 lines of 80 characters, each ending in a newline and holding a `'` (so serpent quotes
 * the text with `"`); `bench/calls_advanced_client.py` builds the same string.
 */
const MULTILINE_TEXT = Array.from(
  { length: 128 },
  (_, i) =>
    `it's line ${String(i).padStart(3, "0")} of ten kibibytes of text`.padEnd(79, ".") + "\n",
).join("");

/** {@link MULTILINE_TEXT} over and over, cut at 1 MiB. */
const LARGE_TEXT = MULTILINE_TEXT.repeat(103).slice(0, 1 << 20);

/** `echo(text)` calls, in calls/s, each result checked. */
function textEcho(name: string, text: string, count: number): Case {
  return {
    name,
    count,
    metric: "calls/s",
    better: "higher",
    open: (target, count) =>
      onProxy(target, async (proxy) => {
        let wrong = 0;
        const { ms, cpuUs } = await measure(count, async () => {
          for (let i = 0; i < count; i++) {
            if ((await proxy.$call("echo", [text])) !== text) wrong++;
          }
        });
        if (wrong > 0) throw new Error(`${wrong} echoes of the text came back changed`);
        return { figure: count / (ms / 1000), cpuUs };
      }),
  };
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
    name: "burst-10",
    count: 300,
    metric: "ms per burst",
    better: "lower",
    open: (target, count) =>
      onProxy(target, async (proxy) => {
        const calls = Array.from({ length: 10 }, (_, i) => i);
        let wrong = 0;
        const { ms, cpuUs } = await measure(count * calls.length, async () => {
          for (let burst = 0; burst < count; burst++) {
            const results = await Promise.all(calls.map((i) => proxy.$call("echo", [i])));
            if (results.some((result, i) => result !== i)) wrong++;
          }
        });
        if (wrong > 0) throw new Error(`${wrong} bursts gave wrong results`);
        return { figure: ms / count, cpuUs };
      }),
  },
  textEcho("text-10KiB", MULTILINE_TEXT, 2000),
  textEcho("text-1MiB", LARGE_TEXT, 150),
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
    // A new connection per lookup: warm up as long as the `connect` case of `calls` does.
    warmupRounds: 9,
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

/**
 * What a run measures: every case and serializer unless `PYROGEN_BENCH_CASES` or
 * `PYROGEN_BENCH_SERIALIZERS` name fewer (comma-separated), as in the `calls` part.
 */
const RUN_CASES = selectedFrom(
  CASES.map((c) => c.name),
  "PYROGEN_BENCH_CASES",
);
const RUN_SERIALIZERS = selectedFrom(SERIALIZERS, "PYROGEN_BENCH_SERIALIZERS");

/** A reply of `bench/calls_advanced_client.py`. */
interface Reply {
  value?: number;
  cpu_us?: number;
  error?: string;
}

/** The Python client: one open case at a time, one round per request. */
class PythonClient extends PythonBenchClient {
  /** Open a case; false when Pyro4's client cannot do it. */
  async open(name: string, target: Target, count: number): Promise<boolean> {
    const reply = await this.ask<Reply>({
      op: "open",
      case: name,
      uri: target.uri,
      count,
      ns: ["127.0.0.1", target.nsPort],
      serializer: target.serializer,
    });
    return reply.error === undefined;
  }

  /** One round of the open case; `null` when it fails (marshal batches in Pyro4). */
  async round(): Promise<Round | null> {
    const reply = await this.ask<Reply>({ op: "round" });
    if (reply.value === undefined || reply.cpu_us === undefined) return null;
    return { figure: reply.value, cpuUs: reply.cpu_us };
  }

  async closeCase(): Promise<void> {
    await this.ask<Reply>({ op: "close" });
  }
}

/** Each side's rounds of one case; no Python rounds when its client cannot run the case. */
async function caseRounds(
  session: Session,
  python: PythonClient,
  pythonOpen: boolean,
  warmupRounds: number,
  watch: HostWatch | undefined,
): Promise<{ pyrogen: Round[]; python: Round[] }> {
  const rounds = await pairedRounds(
    warmupRounds,
    ROUNDS,
    () => session.round(),
    () => (pythonOpen ? python.round() : null),
    watch?.guard("together", ROUNDS),
  );
  const pythonRounds = rounds.python.every((r): r is Round => r !== null) ? rounds.python : [];
  return { pyrogen: rounds.pyrogen, python: pythonRounds };
}

/**
 * Run the part: for Pyro4, then Pyro5 (rows `pyro5 <case>`), start that generation's name
 * server and daemon, measure pyrogen and that generation's own Python client, return the rows.
 */
export function run(): Promise<BenchRow[]> {
  return withPlacement(async (placer) => {
    const watch = HostWatch.over(placer);
    const rows = [
      ...(await generationRows(placer, watch, 4, "")),
      ...(await generationRows(placer, watch, 5, "pyro5 ")),
    ];
    if (watch !== undefined) console.log(watch.summary());
    return rows;
  });
}

async function generationRows(
  placer: Placer,
  watch: HostWatch | undefined,
  generation: 4 | 5,
  prefix: string,
): Promise<BenchRow[]> {
  const processes = new PythonProcesses();
  const python = new PythonClient(CLIENT, generation);
  placer.client(python.pid);
  try {
    const nameServer = await startNameServer(processes, { generation });
    placer.daemon(nameServer.process.pid, "together");
    const nsPort = nameServer.info.port;
    const advanced = await startAdvanced(processes, {
      nsPort,
      generation,
      // Pyro5 has no such item (its oneway calls always run in threads of their own).
      env: { PYRO_ONEWAY_THREADED: "false" },
    });
    placer.daemon(advanced.process.pid, "together");
    const { info } = advanced;
    const rows: BenchRow[] = [];
    for (const serializer of RUN_SERIALIZERS) {
      for (const c of CASES.filter((one) => RUN_CASES.includes(one.name))) {
        const target = { uri: info.uri, serializer, nsPort };
        const session = await c.open(target, c.count);
        const pythonOpen = await python.open(c.name, target, c.count);
        let figures;
        collectGarbage();
        try {
          const warmup = c.warmupRounds ?? WARMUP_ROUNDS;
          figures = await caseRounds(session, python, pythonOpen, warmup, watch);
        } finally {
          placer.swapCpus(false);
          session.close();
          if (pythonOpen) await python.closeCase();
        }
        const base = { case: `${prefix}${c.name}`, serializer };
        const ts = figures.pyrogen;
        const py = figures.python;
        rows.push(
          pairedRow(
            { ...base, metric: c.metric },
            ts.map((r) => r.figure),
            py.map((r) => r.figure),
            c.better,
          ),
          pairedRow(
            { ...base, metric: "client CPU us/op" },
            ts.map((r) => r.cpuUs),
            py.map((r) => r.cpuUs),
            "lower",
          ),
        );
      }
    }
    return rows;
  } finally {
    await python.close();
    await processes.stopAll();
  }
}
