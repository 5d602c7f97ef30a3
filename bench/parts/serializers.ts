/**
 * `npm run bench -- serializers`: pyrogen's serializers against Pyro4's own serializer layer
 * (`Pyro4.util.get_serializer(name).serializeData/deserializeData`, what a Python client
 * pays) on the document of docs performance.md: 1000 entries
 * `'key-NNNN' -> [int, float, str, [str, str, str], [int, int, int]]`.
 *
 * Both sides time themselves in CPU time of their own process (`process.cpuUsage()`,
 * `time.process_time()`), so other work on a shared machine does not land on one side:
 * 5 rounds of about 0.2 s each after a warm-up, median taken.
 * MB/s = Python's payload bytes per second for both sides, so the ratio is the ratio of
 * documents per second even where pyrogen's payload differs a little (e.g. json spacing).
 * pyrogen decodes the bytes Python produced, which is what a client receives.
 */
import { execFileSync } from "node:child_process";
import { isDeepStrictEqual } from "node:util";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { findPython, pythonEnv } from "../../test/harness/python.js";
import { median, row, type BenchRow } from "../lib.js";
import type { Serializer } from "../../src/runtime/serializers/serializer.js";

const NAMES = ["serpent", "json", "marshal", "msgpack"] as const;
const ROUNDS = 5;
const ROUND_MS = 200;
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), "../serializers_python.py");

interface PythonFigures {
  size: number;
  encode_s: number[];
  decode_s: number[];
  payload: string;
}

/** The document, built exactly like the Python side builds it. */
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

/** Seconds per call: warm up, calibrate the iteration count, then the median of the rounds. */
function secondsPerCall(fn: () => unknown): number {
  const warmUntil = performance.now() + ROUND_MS;
  let once = 0;
  while (performance.now() < warmUntil) {
    const start = performance.now();
    fn();
    once = performance.now() - start;
  }
  const iterations = Math.max(1, Math.floor(ROUND_MS / Math.max(once, 1e-4)));
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.cpuUsage();
    for (let i = 0; i < iterations; i++) fn();
    const used = process.cpuUsage(start);
    rounds.push((used.user + used.system) / 1e6 / iterations);
  }
  return median(rounds);
}

async function loadSerializer(name: string): Promise<Serializer> {
  const { createSerializer } = await import("../../src/runtime/serializers/index.js");
  return createSerializer(name);
}

/** One serializer's two rows; pyrogen's figures are null (with the reason printed) if it fails. */
async function measure(name: string, python: PythonFigures): Promise<BenchRow[]> {
  const mb = python.size / 1e6;
  const pyEncode = mb / median(python.encode_s);
  const pyDecode = mb / median(python.decode_s);
  let encode: number | null = null;
  let decode: number | null = null;
  try {
    const serializer = await loadSerializer(name);
    const doc = documentValue();
    const received = Buffer.from(python.payload, "base64");
    if (!isDeepStrictEqual(serializer.loads(received), doc)) {
      throw new Error("decoding Python's payload does not give the document back");
    }
    if (!isDeepStrictEqual(serializer.loads(serializer.dumps(doc)), doc)) {
      throw new Error("its own payload does not round-trip");
    }
    encode = mb / secondsPerCall(() => serializer.dumps(doc));
    decode = mb / secondsPerCall(() => serializer.loads(received));
    const own = serializer.dumps(doc).length;
    console.log(
      `serializers: ${name}: payload ${own} bytes from pyrogen, ${python.size} from Python`,
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    console.log(`serializers: ${name}: pyrogen not measured: ${reason}`);
  }
  return [
    row({
      case: "doc-1000",
      serializer: name,
      metric: "encode MB/s",
      pyrogen: encode,
      python: pyEncode,
    }),
    row({
      case: "doc-1000",
      serializer: name,
      metric: "decode MB/s",
      pyrogen: decode,
      python: pyDecode,
    }),
  ];
}

/** Run the part: one Python process measures Pyro4, then pyrogen is measured here. */
export async function run(): Promise<BenchRow[]> {
  const output = execFileSync(findPython(), [SCRIPT, ...NAMES], {
    encoding: "utf8",
    env: pythonEnv(),
    maxBuffer: 64 * 1024 * 1024,
  });
  const figures = JSON.parse(output) as Record<string, PythonFigures>;
  const rows: BenchRow[] = [];
  for (const name of NAMES) rows.push(...(await measure(name, figures[name]!)));
  return rows;
}
