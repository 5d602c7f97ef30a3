/**
 * `npm run bench -- calls`: remote calls through pyrogen's PyroProxy against Python Pyro4's own
 * client, both on the same Pyro4 daemon (`fixtures/bench_server.py`) in the same run.
 *
 * Rows per serializer: `small` (`echo("hello, pyro")`), `str-10KiB`, `bytes-1MiB` (not json:
 * it has no bytes), `connect` (new proxy + connect + first call, in steady state), each
 * sequential with one caller; `connect-first`: the first 200 connects of a fresh process on
 * each side (what a program that connects only a few times pays); `pipelined`: 10,000 small calls from 100 concurrent callers on one proxy, against
 * Python's sequential small calls (a Python proxy serializes its callers with a lock).
 * Metrics: calls/s, and client CPU µs per call (`process.cpuUsage()` here,
 * `time.process_time()` in Python; ratio = Python / pyrogen). `raw-tcp` and `raw-tcp-10KiB`:
 * a bare socket round trip of 100 bytes and of 10 KiB against a trivial echo server, from
 * Node (reading the way pyrogen does, through `onread` into a reused buffer: the cheapest a
 * Node socket gets) and from Python — the floors this machine sets; `CPU above floor`
 * subtracts each side's floor from its CPU for the small and the 10 KiB calls. Every case
 * has a `<case> bare-node` row: the least any Node client can do against this daemon (see
 * {@link bareNodeClient} and {@link bareNodeConnect}) next to Python's client of the same
 * round. Where even that is below a target, the target is below Node's floor here. The
 * small and 10 KiB cases also have a `<case> bare-node+codec` row: the same socket, each
 * request encoded and each reply decoded with pyrogen's serializer and nothing else (see
 * {@link bareCodecClient}) — the least a client with these codecs does.
 *
 * This machine's load swings by 2x within minutes, so each figure comes from {@link ROUNDS}
 * rounds after unmeasured warm-up rounds ({@link WARMUP_ROUNDS}), and in every round pyrogen and Python are measured back to back (which goes
 * first alternates); the floors are measured in the same rounds as the small calls. A row
 * shows the median of each side, and as its ratio the median of the per-round ratios:
 * a pair measured seconds apart shares the machine's state, medians taken apart do not.
 * The Python client is one process for the whole part (`bench/calls_client.py`).
 */
import { execFile } from "node:child_process";
import { connect, type Socket } from "node:net";
import { once } from "node:events";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { PythonProcesses } from "../../test/harness/python.js";
import { PythonBenchClient } from "../python-client.js";
import { pairedRounds, pairedRow, type BenchRow, type Better, type RoundsOf } from "../lib.js";
import { MessageType } from "../../src/runtime/protocol/constants.js";
import { pyro4 } from "../../src/runtime/protocol-pyro4/index.js";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { createSerializer } from "../../src/runtime/serializers/index.js";
import { giveBack } from "../../src/runtime/serializers/scratch.js";
import type { SerializerName } from "../../src/runtime/serializers/serializer.js";
import { encodeMessage } from "../../src/runtime/protocol-pyro4/frames.js";

const SERIALIZERS: readonly SerializerName[] = ["serpent", "json", "marshal", "msgpack"];
const ROUNDS = 5;
/**
 * Unmeasured rounds first, on both sides. V8 optimizes the connect path (Node's socket code
 * and ours, ~170 functions each run once per connect) over the first ~2,800 connections,
 * which cost up to twice as much CPU until then: 7 rounds of ~420 reach the steady state
 * (`connect-first` shows the cold cost). The call paths are hot after one round. Python
 * has nothing to warm.
 */
const WARMUP_ROUNDS: Record<Case, number> = {
  small: 1,
  "str-10KiB": 1,
  "bytes-1MiB": 1,
  connect: 7,
};
/** Connects per `connect-first` measurement, each in a fresh process. */
const FIRST_CONNECTS = 200;
const RAW_COUNT = 4000;
/** The raw round trip measured as the floor of a case: about its request's size. */
const FLOOR_SIZES: Partial<Record<Case, number>> = { small: 100, "str-10KiB": 10240 };
const PIPELINED_CALLS = 10_000;
const PIPELINED_CALLERS = 100;
const HERE = path.dirname(fileURLToPath(import.meta.url));
const CLIENT = path.join(HERE, "../calls_client.py");
const FIRST_CONNECTS_SCRIPT = path.join(HERE, "../connect_first.ts");
const execFileAsync = promisify(execFile);

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
  if (name === "small") return 3000;
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

/** The Python client: one measurement per request. */
class PythonClient extends PythonBenchClient {
  measure(target: string, serializer: string, name: string, count: number, size = 0) {
    return this.ask<Figures>({ target, serializer, case: name, count, size });
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

async function pythonFirstConnects(uri: string, serializer: SerializerName): Promise<Figures> {
  const fresh = new PythonClient(CLIENT);
  try {
    return await fresh.measure(uri, serializer, "connect-first", FIRST_CONNECTS);
  } finally {
    await fresh.close();
  }
}

async function pyrogenCase(uri: string, serializer: SerializerName, name: Case): Promise<Figures> {
  const count = callCount(name, serializer);
  if (name === "connect") {
    return measure(count, 20, async () => {
      const proxy = new PyroProxy(uri, { serializer });
      await proxy.$call("echo", ["hello, pyro"]);
      proxy.$release();
    });
  }
  const payload = PAYLOADS[name]();
  const proxy = new PyroProxy(uri, { serializer });
  try {
    return await measure(count, Math.min(count, 200), () => proxy.$call("echo", [payload]));
  } finally {
    proxy.$release();
  }
}

/**
 * The least any Node client can do for a call: the same request bytes, framed once, written
 * to a plain socket (read through `onread`, as pyrogen reads), and the reply awaited by the
 * length in its header, nothing decoded. It shows how close the PyroProxy is to Node's own
 * limit against this daemon.
 */
async function bareNodeClient(
  uri: string,
  serializer: SerializerName,
  name: Exclude<Case, "connect">,
): Promise<Figures> {
  const frames = bareFrames(serializer, PAYLOADS[name]());
  const bare = await BareConnection.open(uri);
  try {
    await bare.exchange(frames.connect);
    const count = callCount(name, serializer);
    return await measure(count, Math.min(count, 200), () => bare.exchange(frames.invoke));
  } finally {
    bare.socket.destroy();
  }
}

/**
 * {@link bareNodeClient} plus the codec work no client can skip: each call's request encoded
 * into the encoder's own memory (lent, as the proxy does) and framed, and its
 * reply's payload decoded (`loads`) where it was read. No channel, no proxy, no promise per
 * call beyond the wait itself. For the cases with a floor (small, 10 KiB).
 */
async function bareCodecClient(
  uri: string,
  serializer: SerializerName,
  name: "small" | "str-10KiB",
): Promise<Figures> {
  const codec = createSerializer(serializer);
  const vargs = [PAYLOADS[name]()];
  const serializerId = pyro4.serializers.id(serializer);
  const bare = await BareConnection.open(uri, true);
  let seq = 0;
  try {
    await bare.exchange(bareFrames(serializer, null).connect);
    const count = callCount(name, serializer);
    return await measure(count, Math.min(count, 200), async () => {
      seq = (seq + 1) & 0xffff;
      const data = pyro4.calls.encode(codec, "bench", "echo", vargs, {}, true);
      const request = encodeMessage({
        type: MessageType.INVOKE,
        flags: 0,
        seq,
        serializerId,
        annotations: new Map(),
        data,
      });
      giveBack(data);
      codec.loads(await bare.exchange(request));
    });
  } finally {
    bare.socket.destroy();
  }
}

/**
 * {@link bareNodeClient} for `connect`: a new socket, the proxy's CONNECT (asking for
 * metadata) and one small call, each request framed once beforehand, then the socket shut
 * down and closed as the proxy closes it.
 */
async function bareNodeConnect(uri: string, serializer: SerializerName): Promise<Figures> {
  const frames = bareFrames(serializer, PAYLOADS.small());
  return measure(callCount("connect", serializer), 20, async () => {
    const bare = await BareConnection.open(uri);
    await bare.exchange(frames.connect);
    await bare.exchange(frames.invoke);
    const closed = once(bare.socket, "close");
    bare.socket.end(() => bare.socket.destroy());
    await closed;
  });
}

/** The framed CONNECT (with metadata, as a proxy sends it) and `echo(payload)` INVOKE. */
function bareFrames(serializer: SerializerName, payload: unknown) {
  const codec = createSerializer(serializer);
  const connect = encodeMessage(
    pyro4.handshake.request({
      serializer: codec,
      seq: 0,
      handshake: "hello",
      objectId: "bench",
      target: "bench",
      annotations: new Map(),
      correlationId: undefined,
    }),
  );
  const invoke = encodeMessage({
    type: MessageType.INVOKE,
    flags: 0,
    seq: 1,
    serializerId: pyro4.serializers.id(serializer),
    annotations: new Map(),
    data: pyro4.calls.encode(codec, "bench", "echo", [payload], {}, false),
  });
  return { connect, invoke };
}

/**
 * A plain socket to the daemon that sends framed bytes and waits for one whole reply; with
 * `keepPayload` the wait resolves with the reply's payload: a view of the read buffer when
 * the reply came in one read (it is decoded before the next request is sent), else a copy.
 */
class BareConnection {
  readonly socket: Socket;
  readonly #keepPayload: boolean;
  readonly #header = Buffer.alloc(24);
  #headerFilled = 0;
  #received = 0;
  /** The reply's annotations and payload, when kept and spread over several reads. */
  #body: Uint8Array | undefined;
  #done: ((payload: Uint8Array) => void) | undefined;

  private constructor(port: number, readInto: Buffer, keepPayload: boolean) {
    this.#keepPayload = keepPayload;
    this.socket = connect({
      host: "127.0.0.1",
      port,
      onread: { buffer: readInto, callback: (bytes, buffer) => this.#onRead(bytes, buffer) },
    });
  }

  /** Connect to `uri`'s port on 127.0.0.1. */
  static async open(uri: string, keepPayload = false): Promise<BareConnection> {
    const port = Number(uri.slice(uri.lastIndexOf(":") + 1));
    const bare = new BareConnection(port, readBuffer, keepPayload);
    await once(bare.socket, "connect");
    bare.socket.setNoDelay(true);
    return bare;
  }

  /**
   * Write `bytes` and resolve once the reply's header and all it announces have arrived:
   * with its payload when kept, else with an empty array.
   */
  exchange(bytes: Uint8Array): Promise<Uint8Array> {
    return new Promise<Uint8Array>((resolve) => {
      this.#done = resolve;
      this.socket.write(bytes);
    });
  }

  #onRead(bytes: number, buffer: Uint8Array): boolean {
    const header = this.#header;
    const before = this.#received;
    let headerBytes = 0;
    if (this.#headerFilled < 24) {
      headerBytes = Math.min(24 - this.#headerFilled, bytes);
      header.set(buffer.subarray(0, headerBytes), this.#headerFilled);
      this.#headerFilled += headerBytes;
    }
    this.#received += bytes;
    if (this.#headerFilled < 24) return true;
    const annotations = header.readUInt16BE(18);
    const length = 24 + annotations + header.readInt32BE(12);
    if (this.#keepPayload) {
      if (before === 0 && bytes >= length) {
        this.#finish(buffer.subarray(24 + annotations, length));
        return true;
      }
      const body = (this.#body ??= new Uint8Array(length - 24));
      body.set(buffer.subarray(headerBytes, bytes), Math.max(0, before - 24));
    }
    if (this.#received >= length) this.#finish(this.#body?.subarray(annotations) ?? EMPTY);
    return true;
  }

  #finish(payload: Uint8Array): void {
    this.#headerFilled = 0;
    this.#received = 0;
    this.#body = undefined;
    this.#done?.(payload);
  }
}

const EMPTY = new Uint8Array(0);

/** What bare connections read into: one at a time, and nothing reads what they receive. */
const readBuffer = Buffer.allocUnsafe(1 << 20);

async function pyrogenPipelined(uri: string, serializer: SerializerName): Promise<Figures> {
  const proxy = new PyroProxy(uri, { serializer });
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

async function nodeRawTcp(port: number, count: number, size: number): Promise<Figures> {
  let received = 0;
  let done: (() => void) | undefined;
  const socket: Socket = connect({
    host: "127.0.0.1",
    port,
    onread: {
      buffer: Buffer.allocUnsafe(64 * 1024),
      callback: (bytes) => {
        received += bytes;
        if (received >= size) {
          received -= size;
          done?.();
        }
        return true;
      },
    },
  });
  await once(socket, "connect");
  socket.setNoDelay(true);
  const message = Buffer.alloc(size, 0x78);
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

/** Each side's figures, one per round. */
type Paired = RoundsOf<Figures, Figures>;

/** {@link pairedRounds} with this part's {@link ROUNDS}. */
function paired(
  warmup: number,
  pyrogen: () => Promise<Figures>,
  python: () => Promise<Figures>,
): Promise<Paired> {
  return pairedRounds(warmup, ROUNDS, pyrogen, python);
}

function rowsFor(name: string, serializer: string, figures: Paired | null): BenchRow[] {
  const metric = (label: string, pick: (f: Figures) => number, better: Better): BenchRow =>
    pairedRow(
      { case: name, serializer, metric: label },
      figures?.pyrogen.map(pick) ?? [],
      figures?.python.map(pick) ?? [],
      better,
    );
  return [
    metric("calls/s", (f) => f.calls_per_s, "higher"),
    metric("client CPU us/call", (f) => f.cpu_us_per_call, "lower"),
  ];
}

/** A case's CPU above each side's raw floor of the same round. */
function aboveFloor(name: string, calls: Paired, floor: Paired, serializer: string): BenchRow {
  const above = (figures: Figures[], raw: Figures[]) =>
    figures.map((f, i) => f.cpu_us_per_call - raw[i]!.cpu_us_per_call);
  return pairedRow(
    { case: name, serializer, metric: "CPU above floor us/call" },
    above(calls.pyrogen, floor.pyrogen),
    above(calls.python, floor.python),
    "lower",
  );
}

/**
 * The Pyro5 rows (`pyro5 <case>`): pyrogen's proxy (detecting the generation, as by default)
 * against Pyro5 5.16's own Python client, on the same Pyro5 bench daemon, paired by round as
 * the Pyro4 rows are. The floors are the Pyro4 rows' (the same machine and loopback).
 */
async function pyro5Rows(processes: PythonProcesses): Promise<BenchRow[]> {
  const python = new PythonClient(CLIENT, 5);
  try {
    const { info } = await processes.startFixture<{ uri: string }>("bench_server.py", [], {
      generation: 5,
    });
    const rows: BenchRow[] = [];
    for (const serializer of SERIALIZERS) {
      for (const name of ["small", "str-10KiB", "bytes-1MiB", "connect"] as const) {
        const label = `pyro5 ${name}`;
        if (name === "bytes-1MiB" && serializer === "json") {
          rows.push(...rowsFor(label, serializer, null));
          continue;
        }
        const count = callCount(name, serializer);
        const calls = await paired(
          WARMUP_ROUNDS[name],
          () => pyrogenCase(info.uri, serializer, name),
          () => python.measure(info.uri, serializer, name, count),
        );
        rows.push(...rowsFor(label, serializer, calls));
      }
    }
    return rows;
  } finally {
    await python.close();
  }
}

/** Run the part: start the bench daemon, measure both clients, return the rows. */
export async function run(): Promise<BenchRow[]> {
  const processes = new PythonProcesses();
  const python = new PythonClient(CLIENT);
  try {
    const { info } = await processes.startFixture<{ uri: string; raw_port: number }>(
      "bench_server.py",
    );
    const rawTarget = `127.0.0.1:${info.raw_port}`;
    const rows: BenchRow[] = [];
    const floors = new Map<number, Paired>();
    for (const serializer of SERIALIZERS) {
      for (const name of ["small", "str-10KiB", "bytes-1MiB", "connect"] as const) {
        if (name === "bytes-1MiB" && serializer === "json") {
          rows.push(...rowsFor(name, serializer, null));
          continue;
        }
        const count = callCount(name, serializer);
        const size = FLOOR_SIZES[name];
        // In each round the Node side measures its floor (where the case has one), then the
        // bare client, the codec-only client and the proxy in an order that rotates from
        // round to round, so that no row always comes last; Python measures its floor and
        // its client. The proxy is compared with Python's client of the same round.
        const floor: Paired = { pyrogen: [], python: [] };
        const bare: Figures[] = [];
        const withCodec: Figures[] = [];
        let round = 0;
        const calls = await paired(
          WARMUP_ROUNDS[name],
          async () => {
            if (size !== undefined) {
              floor.pyrogen.push(await nodeRawTcp(info.raw_port, RAW_COUNT, size));
            }
            let proxy: Figures | undefined;
            const steps = [
              async () => {
                bare.push(
                  name === "connect"
                    ? await bareNodeConnect(info.uri, serializer)
                    : await bareNodeClient(info.uri, serializer, name),
                );
              },
              async () => {
                if (name === "small" || name === "str-10KiB") {
                  withCodec.push(await bareCodecClient(info.uri, serializer, name));
                }
              },
              async () => {
                proxy = await pyrogenCase(info.uri, serializer, name);
              },
            ];
            for (let i = 0; i < steps.length; i++) await steps[(round + i) % steps.length]!();
            round++;
            return proxy!;
          },
          async () => {
            if (size !== undefined) {
              floor.python.push(await python.measure(rawTarget, "-", "raw-tcp", RAW_COUNT, size));
            }
            return python.measure(info.uri, serializer, name, count);
          },
        );
        // The warm-up rounds measured these too: keep the measured rounds' only.
        floor.pyrogen.splice(0, WARMUP_ROUNDS[name]);
        floor.python.splice(0, WARMUP_ROUNDS[name]);
        bare.splice(0, WARMUP_ROUNDS[name]);
        withCodec.splice(0, WARMUP_ROUNDS[name]);
        rows.push(...rowsFor(name, serializer, calls));
        if (size !== undefined) {
          const all = floors.get(size) ?? { pyrogen: [], python: [] };
          all.pyrogen.push(...floor.pyrogen);
          all.python.push(...floor.python);
          floors.set(size, all);
          rows.push(aboveFloor(name, calls, floor, serializer));
        }
        rows.push(
          ...rowsFor(`${name} bare-node`, serializer, { pyrogen: bare, python: calls.python }),
        );
        if (name === "small" || name === "str-10KiB") {
          const codecCalls = { pyrogen: withCodec, python: calls.python };
          rows.push(...rowsFor(`${name} bare-node+codec`, serializer, codecCalls));
          rows.push(aboveFloor(`${name} bare-node+codec`, codecCalls, floor, serializer));
        }
        if (name === "connect") {
          const first = await paired(
            0,
            () => pyrogenFirstConnects(info.uri, serializer),
            () => pythonFirstConnects(info.uri, serializer),
          );
          rows.push(...rowsFor("connect-first", serializer, first));
        }
        if (name !== "small") continue;
        const pipelined: Paired = { pyrogen: [], python: calls.python };
        for (let round = 0; round < ROUNDS; round++) {
          pipelined.pyrogen.push(await pyrogenPipelined(info.uri, serializer));
        }
        rows.push(...rowsFor("pipelined", serializer, pipelined));
      }
    }
    const floorRows = [...floors].flatMap(([size, figures]) =>
      rowsFor(size === 100 ? "raw-tcp" : "raw-tcp-10KiB", "-", figures),
    );
    return [...floorRows, ...rows, ...(await pyro5Rows(processes))];
  } finally {
    await python.close();
    await processes.stopAll();
  }
}
