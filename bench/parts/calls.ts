/**
 * `npm run bench -- calls`: remote calls through pyrogen's Proxy against Python Pyro4's own
 * client, both on the same Pyro4 daemon (`fixtures/bench_server.py`) in the same rounds; then
 * the same cases, measurements and targets against Pyro5 5.16's own client on a Pyro5 bench
 * daemon (rows `pyro5 <case>`), pyrogen detecting the generation as it does by default.
 *
 * Cases per serializer: `small` (`echo("hello, pyro")`), `str-10KiB`, `bytes-1MiB` (not
 * json: it has no bytes), `connect` (new proxy + connect + first call, in steady state),
 * each sequential with one caller; `pipelined`: {@link PIPELINED_CALLS} small calls from
 * {@link PIPELINED_CALLERS} concurrent callers on one proxy, against Python's sequential
 * small calls of the same round (a Python proxy serializes its callers with a lock), which
 * are measured as the `small` case measures them (see {@link ARRANGEMENTS});
 * `connect-first`: the first {@link FIRST_CONNECTS} connects of a fresh process on each side
 * (reported, not judged). Every measurement gives calls/s, client CPU µs per call and the
 * daemon's CPU µs per call over the same calls (`bench/measure.ts`). `raw-tcp` and
 * `raw-tcp-10KiB`: a bare socket round trip of 100 bytes and of 10 KiB against a trivial
 * echo server, from Node and from Python — the floors this machine sets; `CPU above floor`
 * subtracts each side's floor of the same round. Every case has a `<case> bare-node` row,
 * the least any Node client does against this daemon, and the small, 10 KiB and connect
 * cases a `<case> bare-node+codec` row, that plus pyrogen's codec (`bench/bare-node.ts`);
 * `str-10KiB vs bare-node` and `connect vs bare-node` compare the Proxy with the bare client
 * of the same round, as two targets ask.
 *
 * How the figures are taken (`docs/bench-calls.md` has the measurements behind it): the
 * bench pins clients and the daemon to CPUs (`bench/placement.ts`); a case runs
 * {@link WARMUP_ROUNDS} unmeasured rounds, then {@link ROUNDS} rounds, each of which runs
 * every measurement of the case once, Node's and Python's, in an order that rotates by one
 * from round to round; the host watch (`bench/host-watch.ts`) moves a round off a vCPU in
 * one of the host's slow periods, and measures again a round that met one. A row shows
 * each side's median, as its ratio the median of the per-round ratios and as its spread
 * their interquartile range; {@link TARGETS} marks the judged rows met or missed, each
 * with its reach: what `bare-node+codec` reached against the same baseline in the same
 * rounds, or for `pipelined` the daemon's ceiling. The Python client is one process for
 * the whole part (`bench/calls_client.py`).
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { PythonProcesses } from "../../test/harness/python.js";
import {
  bareCodecClient,
  bareCodecConnect,
  bareNodeClient,
  bareNodeConnect,
  nodeRawTcp,
  type Target as Where,
} from "../bare-node.js";
import { pairedRatio, pairedRow, rotatedRounds, type BenchRow, type Reach } from "../lib.js";
import {
  CallMeter,
  collectGarbage,
  measuredRounds,
  figureRows,
  selectedFrom,
  PythonCallsClient,
  repeat,
  WARMUP_SECONDS,
  type Budget,
  type Figures,
} from "../measure.js";
import { HostWatch } from "../host-watch.js";
import { withPlacement, type Arrangement, type Placer } from "../placement.js";
import { judge, targetsOfRows, type Target } from "../targets.js";
import { PyroProxy } from "../runtime.js";
import { pyro4 } from "../../src/runtime/protocol-pyro4/index.js";
import { pyro5 } from "../../src/runtime/protocol-pyro5/index.js";
import type { WireProtocol } from "../../src/runtime/protocol/wire-protocol.js";
import type { SerializerName } from "../../src/runtime/serializers/serializer.js";

export const SERIALIZERS: readonly SerializerName[] = ["serpent", "json", "marshal", "msgpack"];
export const CASES = ["small", "pipelined", "str-10KiB", "bytes-1MiB", "connect"] as const;
export type Case = (typeof CASES)[number];
/**
 * Where each case's daemon runs (`bench/placement.ts`): on the clients' CPU for calls one at
 * a time, on the other CPU for pyrogen's pipelined calls, which are meant to keep both at
 * work. Python's sequential calls, the pipelined case's reference, run as in the `small`
 * case: measured apart, their rate swung with the hypervisor's wake-ups (the pipelined
 * ratio moved by up to 57% between two runs), together it repeats. In `pipelined` the two
 * CPUs also swap roles from round to round (see `measurementsOf`).
 */
const ARRANGEMENTS: Record<Case, Arrangement> = {
  small: "together",
  pipelined: "apart",
  "str-10KiB": "together",
  "bytes-1MiB": "together",
  connect: "together",
};

/** Measured rounds per case. */
const ROUNDS = measuredRounds(9);
/**
 * What a run measures: every case and serializer unless `PYROGEN_BENCH_CASES` or
 * `PYROGEN_BENCH_SERIALIZERS` name fewer (comma-separated), for a quick look; only the
 * targets of the rows measured are judged then.
 */
const RUN_CASES = selectedFrom(CASES, "PYROGEN_BENCH_CASES");
const RUN_SERIALIZERS = selectedFrom(SERIALIZERS, "PYROGEN_BENCH_SERIALIZERS");
/** Passes of {@link warmUp} over every case before the first measured round. */
const WARMUP_PASSES = 2;
/**
 * Connects of each serializer, Proxy's and bare-node's, before the first measured round. A
 * process's connects cost 750–950 µs of CPU each for the first thousand, ~400 at 2,000 and
 * reach their steady ~250 only after ~5,000 (V8 optimizes code that runs once per connect
 * slowly); the timed warm-up pass alone makes ~1,500. Python's connect has no such curve.
 */
const CONNECT_WARMUP = 1500;
/**
 * Unmeasured rounds of each case, on both sides, after the part's warm-up pass
 * ({@link warmUp}): they take what a case leaves behind for the next one (a major GC after
 * the 1 MiB buffers, code compiled anew for another serializer), and what the full
 * collection before each case costs: a forced collection drops the code V8 optimized
 * (`--trace-opt` shows the same functions optimized anew after it, with no deopt between),
 * and it runs cold again. With one unmeasured round, a call case's first measured round
 * still cost up to 1.8x the client CPU of the others (10 KiB serpent: 80 µs against 45); a
 * connect runs its ~170 functions once per connection, ~600 times a round, and costs up to
 * twice the CPU for its first four rounds after the collection.
 */
const WARMUP_ROUNDS: Record<Case, number> = {
  small: 2,
  pipelined: 2,
  "str-10KiB": 2,
  "bytes-1MiB": 2,
  connect: 6,
};

/** The generations the part runs against, and the prefix of each one's rows. */
const GENERATIONS: readonly { protocol: WireProtocol; prefix: string }[] = [
  { protocol: pyro4, prefix: "" },
  { protocol: pyro5, prefix: "pyro5 " },
];

/** The targets for this part (issue 17), for one generation's rows. */
const GENERATION_TARGETS: readonly Target[] = [
  { case: "small", metric: "calls/s", atLeast: 1.0 },
  { case: "str-10KiB", metric: "calls/s", serializers: ["serpent", "json"], atLeast: 1.2 },
  { case: "str-10KiB", metric: "calls/s", serializers: ["marshal", "msgpack"], atLeast: 1.0 },
  {
    case: "str-10KiB vs bare-node",
    metric: "calls/s",
    serializers: ["marshal", "msgpack"],
    atLeast: 0.9,
  },
  {
    case: "bytes-1MiB",
    metric: "calls/s",
    serializers: ["serpent", "marshal", "msgpack"],
    atLeast: 1.2,
  },
  { case: "pipelined", metric: "calls/s", atLeast: 2.0 },
  { case: "connect vs bare-node", metric: "calls/s", atLeast: 0.95 },
];

/** The targets of every generation's rows: the same for Pyro5 as for Pyro4 (issue 15). */
export const TARGETS: readonly Target[] = GENERATIONS.flatMap(({ prefix }) =>
  GENERATION_TARGETS.map((target) => ({ ...target, case: prefix + target.case })),
);

/** How long each measurement times calls, on both sides. */
const MEASURE: Budget = { seconds: 0.3 };
/**
 * 1 MiB calls measure longer: each leaves ~2 MiB for the collector, and whether a
 * mark-compact falls inside a 0.3 s window moved pyrogen's rounds by ±35%.
 */
const MEASURE_1MIB: Budget = { seconds: 0.8 };
/** Connects per `connect-first` measurement, each in a fresh process. */
const FIRST_CONNECTS = 200;
const FIRST_CONNECT_ROUNDS = 5;
/** The raw round trip measured as the floor of a case: about its request's size. */
const FLOOR_SIZES: Partial<Record<Case, number>> = { small: 100, "str-10KiB": 10240 };
const PIPELINED_CALLERS = 100;
const BARE_NODE = "the bare-node client of the same round";
const CEILING = "the daemon's ceiling: 1e6 / its CPU us per pipelined call";
/** The references of the judged rows' reach (`BenchRow.reach`). */
const CODEC_REACH = "bare-node+codec";
const CEILING_REACH = "daemon ceiling";
const HERE = path.dirname(fileURLToPath(import.meta.url));
const CLIENT = path.join(HERE, "../calls_client.py");
const FIRST_CONNECTS_SCRIPT = path.join(HERE, "../connect_first.ts");
const execFileAsync = promisify(execFile);

const PAYLOADS: Record<"small" | "str-10KiB" | "bytes-1MiB", () => unknown> = {
  small: () => "hello, pyro",
  "str-10KiB": () => "x".repeat(10240),
  "bytes-1MiB": () => new Uint8Array(1 << 20).fill(1),
};

/** What a case's rounds measure, by name; absent where the case has no such measurement. */
type Measurements = Partial<
  Record<"proxy" | "bare" | "codec" | "floor" | "python" | "pythonFloor", () => Promise<Figures>>
>;

/** Where a case's processes run: its daemon, and which CPU plays which role. */
interface Place {
  /** Pin the daemon as `arrangement` asks, in the current roles. */
  daemon(arrangement: Arrangement): void;
  /** Swap the CPUs' roles for this process and the Python client, or restore them. */
  swapCpus(swap: boolean): void;
}

/**
 * The measurements of one case for one serializer; `place` pins the daemon (the case's
 * arrangement is in place when they start; pipelined measurements pin it themselves).
 */
function measurementsOf(
  where: Where,
  python: PythonCallsClient,
  rawPort: number,
  serializer: SerializerName,
  name: Case,
  place: Place,
): Measurements {
  const size = FLOOR_SIZES[name];
  const daemon_pid = where.daemonPid;
  const budget = name === "bytes-1MiB" ? MEASURE_1MIB : MEASURE;
  // Pipelined calls are set against Python's sequential small calls.
  const pythonCase = name === "pipelined" ? "small" : name;
  const measurements: Measurements = {
    python: () =>
      python.measure({ target: where.uri, serializer, case: pythonCase, daemon_pid, ...budget }),
  };
  if (name === "pipelined") {
    // The host slows one vCPU at a time, and the daemon is what limits both sides here:
    // in each round both sides' daemon runs on the same CPU (Python's together with its
    // client, pyrogen's apart from it), the first CPU in one round, the second in the next.
    const sequential = measurements.python!;
    let pythonRounds = 0;
    let proxyRounds = 0;
    measurements.python = () => {
      place.swapCpus(pythonRounds++ % 2 === 1);
      place.daemon(ARRANGEMENTS.small);
      return sequential();
    };
    measurements.proxy = () => {
      place.swapCpus(proxyRounds++ % 2 === 0);
      place.daemon(ARRANGEMENTS.pipelined);
      return pipelined(where, serializer);
    };
    return measurements;
  }
  if (size !== undefined) {
    measurements.floor = () => nodeRawTcp(where, rawPort, MEASURE, size);
    measurements.pythonFloor = () =>
      python.measure({
        target: `127.0.0.1:${rawPort}`,
        serializer: "-",
        case: "raw-tcp",
        size,
        daemon_pid,
        ...MEASURE,
      });
  }
  if (name === "connect") {
    const small = PAYLOADS.small();
    measurements.proxy = () => proxyConnects(where, serializer);
    measurements.bare = () => bareNodeConnect(where, serializer, small, MEASURE);
    measurements.codec = () => bareCodecConnect(where, serializer, small, MEASURE);
    return measurements;
  }
  const payload = PAYLOADS[name]();
  measurements.proxy = () => proxyCalls(where, serializer, payload, budget);
  measurements.bare = () => bareNodeClient(where, serializer, payload, budget);
  if (name === "small" || name === "str-10KiB") {
    measurements.codec = () => bareCodecClient(where, serializer, payload, MEASURE);
  }
  return measurements;
}

/** Sequential calls of `echo(payload)` on one new proxy, after a warm-up. */
async function proxyCalls(
  where: Where,
  serializer: SerializerName,
  payload: unknown,
  budget: Budget,
): Promise<Figures> {
  const proxy = new PyroProxy(where.uri, { serializer });
  try {
    return await where.meter.calls(where.daemonPid, budget, () => proxy.$call("echo", [payload]));
  } finally {
    proxy.$release();
  }
}

/** New proxy, connect, one small call, release. */
async function connectOnce(uri: string, serializer: SerializerName): Promise<void> {
  const proxy = new PyroProxy(uri, { serializer });
  await proxy.$call("echo", ["hello, pyro"]);
  proxy.$release();
}

/** {@link connectOnce} over and over. */
function proxyConnects(where: Where, serializer: SerializerName) {
  return where.meter.calls(where.daemonPid, MEASURE, () => connectOnce(where.uri, serializer));
}

/** Small calls from {@link PIPELINED_CALLERS} concurrent callers on one proxy. */
async function pipelined(where: Where, serializer: SerializerName): Promise<Figures> {
  const proxy = new PyroProxy(where.uri, { serializer });
  const call = () => proxy.$call("echo", ["hello, pyro"]);
  const callers = (budget: Budget) =>
    Promise.all(Array.from({ length: PIPELINED_CALLERS }, () => repeat(budget, call)));
  try {
    await callers({ seconds: WARMUP_SECONDS });
    return await where.meter.time(where.daemonPid, async () =>
      (await callers(MEASURE)).reduce((sum, calls) => sum + calls, 0),
    );
  } finally {
    proxy.$release();
  }
}

/**
 * `connect-first`: the first {@link FIRST_CONNECTS} connects of a fresh process on each
 * side (`bench/connect_first.ts`, and `connect-first` of a new `calls_client.py`).
 */
async function pyrogenFirstConnects(uri: string, serializer: SerializerName): Promise<Figures> {
  const { stdout } = await execFileAsync(process.execPath, [
    "--import",
    "tsx",
    FIRST_CONNECTS_SCRIPT,
    uri,
    serializer,
    String(FIRST_CONNECTS),
  ]);
  return JSON.parse(stdout) as Figures;
}

async function pythonFirstConnects(
  uri: string,
  serializer: SerializerName,
  generation: 4 | 5,
): Promise<Figures> {
  const fresh = new PythonCallsClient(CLIENT, generation);
  try {
    return await fresh.measure({
      target: uri,
      serializer,
      case: "connect-first",
      count: FIRST_CONNECTS,
    });
  } finally {
    await fresh.close();
  }
}

/**
 * Before any measured round, every Node-side measurement of every case and serializer runs
 * {@link WARMUP_PASSES} times, then {@link CONNECT_WARMUP} connects of each serializer. V8
 * compiles the call paths over the first several thousand calls (10 KiB calls: ~8,000) and
 * the connect path (Node's socket code and ours, ~170 functions run once per connect) over
 * the first ~5,000 connections, which cost up to three times the CPU until then
 * (`connect-first` shows that cold cost); and code optimized while only some serializers had
 * run is thrown away when the next one comes. Unwarmed, the first cases' rounds still
 * trend down as they are measured, by a different amount in every run.
 */
async function warmUp(
  where: Where,
  python: PythonCallsClient,
  rawPort: number,
  place: Place,
): Promise<void> {
  for (let pass = 0; pass < WARMUP_PASSES; pass++) {
    for (const serializer of RUN_SERIALIZERS) {
      for (const name of RUN_CASES) {
        if (name === "bytes-1MiB" && serializer === "json") continue;
        place.daemon(ARRANGEMENTS[name]);
        const {
          python: _python,
          pythonFloor: _floor,
          ...node
        } = measurementsOf(where, python, rawPort, serializer, name, place);
        for (const measure of Object.values(node)) await measure();
        place.swapCpus(false);
      }
    }
  }
  if (!RUN_CASES.includes("connect")) return;
  place.daemon(ARRANGEMENTS.connect);
  for (const serializer of RUN_SERIALIZERS) {
    await repeat({ count: CONNECT_WARMUP }, () => connectOnce(where.uri, serializer));
    await bareNodeConnect(where, serializer, PAYLOADS.small(), { count: CONNECT_WARMUP });
    await bareCodecConnect(where, serializer, PAYLOADS.small(), { count: CONNECT_WARMUP });
  }
}

/** One round's figures of each measurement a case has. */
export type Results = Partial<Record<keyof Measurements, Figures[]>>;

/** A case's CPU above each side's raw floor of the same round. */
function aboveFloor(name: string, serializer: string, ours: Figures[], results: Results) {
  const above = (figures: Figures[], floor: Figures[]) =>
    figures.map((f, i) => f.cpu_us_per_call - floor[i]!.cpu_us_per_call);
  return pairedRow(
    { case: name, serializer, metric: "CPU above floor us/call" },
    above(ours, results.floor!),
    above(results.python!, results.pythonFloor!),
    "lower",
  );
}

/**
 * Pipelined calls against the daemon's ceiling: the most calls/s it could serve on its CPU
 * at the CPU per call it spent on them (one thread serves one connection's calls in turn).
 * The ratio is how much of its CPU the daemon was kept busy; where 2x Python's sequential
 * calls is above the ceiling, no client can reach the `pipelined` target.
 */
function ceilingRow(label: string, serializer: string, proxy: readonly Figures[]): BenchRow {
  return pairedRow(
    { case: `${label} vs daemon ceiling`, serializer, metric: "calls/s", baseline: CEILING },
    rates(proxy),
    proxy.map(ceilingOf),
  );
}

/** The rows of one case from its rounds' results, the case named with `prefix`. */
export function caseRows(
  name: Case,
  serializer: string,
  results: Results,
  prefix = "",
): BenchRow[] {
  const python = results.python!;
  const label = prefix + name;
  const rows = figureRows({ case: label, serializer }, results.proxy!, python);
  // The calls/s row, judged against Python's in every case but connect.
  const rate = rows[0]!;
  if (name === "pipelined") {
    rows.push(ceilingRow(label, serializer, results.proxy!));
    rate.reach = reachOf(CEILING_REACH, results.proxy!.map(ceilingOf), python);
  } else if (results.codec !== undefined && name !== "connect") {
    rate.reach = reachOf(CODEC_REACH, rates(results.codec), python);
  }
  if (results.floor !== undefined)
    rows.push(aboveFloor(label, serializer, results.proxy!, results));
  if (results.bare === undefined) return rows;
  rows.push(...figureRows({ case: `${label} bare-node`, serializer }, results.bare, python));
  if (results.codec !== undefined) {
    const codecLabel = `${label} bare-node+codec`;
    rows.push(...figureRows({ case: codecLabel, serializer }, results.codec, python));
    if (results.floor !== undefined)
      rows.push(aboveFloor(codecLabel, serializer, results.codec, results));
  }
  if (name === "str-10KiB" || name === "connect") {
    const vs = { case: `${label} vs bare-node`, serializer, baseline: BARE_NODE };
    const vsRow = figureRows(vs, results.proxy!, results.bare)[0]!;
    if (results.codec !== undefined) {
      vsRow.reach = reachOf(CODEC_REACH, rates(results.codec), results.bare);
    }
    rows.push(vsRow);
  }
  return rows;
}

/** Calls/s of each round. */
const rates = (figures: readonly Figures[]): number[] => figures.map((f) => f.calls_per_s);

/** The most calls/s the daemon could serve at the CPU per call it spent in a round. */
const ceilingOf = (figures: Figures): number => 1e6 / figures.daemon_cpu_us_per_call!;

/** `reference`'s reach against `baseline`'s calls/s in the same rounds, if it has one. */
function reachOf(
  by: string,
  reference: readonly number[],
  baseline: readonly Figures[],
): Reach | undefined {
  const ratio = pairedRatio(reference, rates(baseline));
  return ratio === null ? undefined : { by, ratio };
}

/** Run the part: start the bench daemons, measure both clients, return the rows. */
export function run(): Promise<BenchRow[]> {
  return withPlacement(measure);
}

async function measure(placer: Placer): Promise<BenchRow[]> {
  const processes = new PythonProcesses();
  const meter = new CallMeter();
  const watch = HostWatch.over(placer);
  try {
    const floors = new Map<number, Results>();
    const rows: BenchRow[] = [];
    for (const { protocol, prefix } of GENERATIONS) {
      const context = { processes, placer, meter, floors, watch };
      rows.push(...(await generationRows(protocol, prefix, context)));
    }
    if (watch !== undefined) console.log(watch.summary());
    const floorRows = [...floors].flatMap(([size, results]) =>
      figureRows(
        { case: size === 100 ? "raw-tcp" : "raw-tcp-10KiB", serializer: "-" },
        results.floor!,
        results.pythonFloor!,
      ),
    );
    const measured = [...floorRows, ...rows];
    const everything = RUN_CASES === CASES && RUN_SERIALIZERS === SERIALIZERS;
    return judge(measured, everything ? TARGETS : targetsOfRows(TARGETS, measured));
  } finally {
    await meter.close();
    await processes.stopAll();
  }
}

/** What every generation's run shares: processes, placement, meter, the raw floors' rounds. */
interface PartContext {
  processes: PythonProcesses;
  placer: Placer;
  meter: CallMeter;
  /** The raw round trips of every round, by size, for the `raw-tcp` rows. */
  floors: Map<number, Results>;
  /** Keeps the host's slow periods out of the measured rounds; absent when nothing is pinned. */
  watch: HostWatch | undefined;
}

/**
 * One generation's rows, each case named with `prefix`: its bench daemon, its Python
 * client, the warm-up, then every case and serializer in rotated rounds.
 */
async function generationRows(
  protocol: WireProtocol,
  prefix: string,
  { processes, placer, meter, floors, watch }: PartContext,
): Promise<BenchRow[]> {
  const generation = protocol.generation as 4 | 5;
  const python = new PythonCallsClient(CLIENT, generation);
  try {
    const { process: daemon, info } = await processes.startFixture<{
      uri: string;
      raw_port: number;
    }>("bench_server.py", [], { generation });
    placer.client(python.pid);
    const place: Place = {
      daemon: (arrangement) => placer.daemon(daemon.pid, arrangement),
      swapCpus: (swap) => placer.swapCpus(swap),
    };
    const where: Where = { uri: info.uri, daemonPid: daemon.pid, protocol, meter };
    await warmUp(where, python, info.raw_port, place);
    const rows: BenchRow[] = [];
    for (const serializer of RUN_SERIALIZERS) {
      for (const name of RUN_CASES) {
        if (name === "bytes-1MiB" && serializer === "json") {
          rows.push(...figureRows({ case: prefix + name, serializer }, null, null));
          continue;
        }
        const measurements = measurementsOf(where, python, info.raw_port, serializer, name, place);
        place.daemon(ARRANGEMENTS[name]);
        collectGarbage();
        let results: Results;
        const guard = watch?.guard(ARRANGEMENTS[name], ROUNDS);
        try {
          results = await rotatedRounds(WARMUP_ROUNDS[name], ROUNDS, measurements, guard);
        } finally {
          place.swapCpus(false);
        }
        const report = guard?.report();
        if (report !== undefined)
          console.log(`  host watch, ${prefix}${name} ${serializer}: ${report}`);
        rows.push(...caseRows(name, serializer, results, prefix));
        const size = FLOOR_SIZES[name];
        if (size !== undefined) {
          const all = floors.get(size) ?? { floor: [], pythonFloor: [] };
          all.floor!.push(...results.floor!);
          all.pythonFloor!.push(...results.pythonFloor!);
          floors.set(size, all);
        }
        if (name === "connect") {
          const first = await rotatedRounds(0, FIRST_CONNECT_ROUNDS, {
            pyrogen: () => pyrogenFirstConnects(info.uri, serializer),
            python: () => pythonFirstConnects(info.uri, serializer, generation),
          });
          const fields = { case: `${prefix}connect-first`, serializer };
          rows.push(...figureRows(fields, first.pyrogen!, first.python!));
        }
      }
    }
    return rows;
  } finally {
    await python.close();
  }
}
