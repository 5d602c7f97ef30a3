/**
 * `npm run bench -- serializers`: pyrogen's serializers against Pyro4's own serializer layer
 * (`Pyro4.util.get_serializer(name).serializeData/deserializeData`, what a Python client
 * pays) on payloads of several shapes ({@link SHAPES}): `doc-1000`, the document of docs
 * performance.md (1000 entries `'key-NNNN' -> [int, float, str, [str, str, str], [int, int,
 * int]]`), and shapes common in calls — records, multi-line text, non-ASCII text, floats,
 * ints past 32 bits, short strings. `PYROGEN_BENCH_CASES` names fewer shapes.
 *
 * Both sides time themselves in CPU time of their own process (`process.cpuUsage()`,
 * `time.process_time()`), in rounds of about 0.2 s. As in the `calls` part, the rounds are
 * paired: after a warm-up round on each side, {@link ROUNDS} rounds in which pyrogen and
 * Python (one long-lived process, `bench/serializers_python.py`) run back to back, the
 * order alternating; a row shows each side's median and the median of the per-round
 * ratios, since this machine's speed swings by 2x within minutes.
 * MB/s = Python's payload bytes per second for both sides, so the ratio is the ratio of
 * documents per second even where pyrogen's payload differs a little (e.g. json spacing).
 * pyrogen decodes the bytes Python produced, which is what a client receives.
 */
import { isDeepStrictEqual } from "node:util";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { pairedRounds, pairedRow, type BenchRow } from "../lib.js";
import { selectedFrom } from "../measure.js";
import { PythonBenchClient } from "../python-client.js";
import { createSerializer } from "../../src/runtime/serializers/index.js";
import type { Serializer } from "../../src/runtime/serializers/serializer.js";

const NAMES = ["serpent", "json", "marshal", "msgpack"] as const;
const ROUNDS = 7;
const ROUND_MS = 200;
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), "../serializers_python.py");

type Operation = "encode" | "decode";

/** The Python side: Pyro4's payload for a serializer, and one timed round at a time. */
class PythonSerializers extends PythonBenchClient {
  payload(shape: Shape, name: string) {
    return this.ask<{ size: number; payload: string }>({ shape, name, op: "payload" });
  }

  /** CPU seconds per payload over one round. */
  async round(shape: Shape, name: string, op: Operation): Promise<number> {
    return (await this.ask<{ seconds: number }>({ shape, name, op })).seconds;
  }
}

/** The document of docs performance.md. */
function documentValue(): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  for (let i = 0; i < 1000; i++) {
    doc[`key-${String(i).padStart(4, "0")}`] = [
      i,
      i + 0.5,
      `value ${i}`,
      [`a${i}`, `b${i}`, `c${i}`],
      [i, i * 2, i * 3],
    ];
  }
  return doc;
}

/** The payloads, each built exactly as `SHAPES` in `bench/serializers_python.py` builds it. */
const SHAPES = {
  "doc-1000": documentValue,
  "records-200": () =>
    Array.from({ length: 200 }, (_, i) => ({
      id: i,
      name: `user${i}`,
      email: `user${i}@example.com`,
      score: i * 0.5,
      active: i % 2 === 0,
    })),
  "text-10KiB": () =>
    Array.from(
      { length: 128 },
      (_, i) =>
        `it's line ${String(i).padStart(3, "0")} of ten kibibytes of text`.padEnd(79, ".") + "\n",
    ).join(""),
  "unicode-5k": () => "Grüße aus Köln, 東京からこんにちは — ça va? ".repeat(300).slice(0, 5000),
  "floats-1k": () => Array.from({ length: 1000 }, (_, i) => i * 1.1 + 0.25),
  "bigints-200": () => Array.from({ length: 200 }, (_, i) => 2 ** 40 + i * 7919),
  "strlist-1k": () => Array.from({ length: 1000 }, (_, i) => `item-${i}`),
} satisfies Record<string, () => unknown>;
type Shape = keyof typeof SHAPES;
const RUN_SHAPES = selectedFrom(Object.keys(SHAPES) as Shape[], "PYROGEN_BENCH_CASES");

/** pyrogen's rounds of one operation: calibrated once, then CPU seconds per call per round. */
function roundsOf(fn: () => unknown): () => number {
  const warmUntil = performance.now() + ROUND_MS;
  let once = 0;
  while (performance.now() < warmUntil) {
    const start = performance.now();
    fn();
    once = performance.now() - start;
  }
  const iterations = Math.max(1, Math.floor(ROUND_MS / Math.max(once, 1e-4)));
  return () => {
    const start = process.cpuUsage();
    for (let i = 0; i < iterations; i++) fn();
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1e6 / iterations;
  };
}

/** Check that pyrogen reads Python's payload and its own back as the payload's value. */
function check(serializer: Serializer, received: Uint8Array, doc: unknown): void {
  if (!isDeepStrictEqual(serializer.loads(received), doc)) {
    throw new Error("decoding Python's payload does not give the value back");
  }
  if (!isDeepStrictEqual(serializer.loads(serializer.dumps(doc)), doc)) {
    throw new Error("its own payload does not round-trip");
  }
}

/** One shape's two rows for one serializer; pyrogen's figures are empty (reason printed) if it fails. */
async function measure(shape: Shape, name: string, python: PythonSerializers): Promise<BenchRow[]> {
  const { size, payload } = await python.payload(shape, name);
  const mb = size / 1e6;
  const doc = SHAPES[shape]();
  const received = Buffer.from(payload, "base64");
  const serializer = createSerializer(name);
  let ours: Record<Operation, () => number> | null = null;
  try {
    check(serializer, received, doc);
    ours = {
      encode: roundsOf(() => serializer.dumps(doc)),
      decode: roundsOf(() => serializer.loads(received)),
    };
    console.log(
      `serializers: ${shape} ${name}: payload ${serializer.dumps(doc).length} bytes from pyrogen, ${size} from Python`,
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    console.log(`serializers: ${shape} ${name}: pyrogen not measured: ${reason}`);
  }
  const rows: BenchRow[] = [];
  for (const op of ["encode", "decode"] as const) {
    const rounds = await pairedRounds(
      1,
      ROUNDS,
      () => (ours === null ? null : mb / ours[op]()),
      async () => mb / (await python.round(shape, name, op)),
    );
    // No pyrogen figures when it could not carry the document (reason printed above).
    const pyrogenMbs = rounds.pyrogen.filter((mbs): mbs is number => mbs !== null);
    rows.push(
      pairedRow({ case: shape, serializer: name, metric: `${op} MB/s` }, pyrogenMbs, rounds.python),
    );
  }
  return rows;
}

/** Run the part. */
export async function run(): Promise<BenchRow[]> {
  const python = new PythonSerializers(SCRIPT);
  try {
    const rows: BenchRow[] = [];
    for (const shape of RUN_SHAPES) {
      for (const name of NAMES) rows.push(...(await measure(shape, name, python)));
    }
    return rows;
  } finally {
    await python.close();
  }
}
