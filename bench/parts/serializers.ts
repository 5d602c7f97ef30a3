/**
 * `npm run bench -- serializers`: pyrogen's serializers against Pyro4's own serializer layer
 * (`Pyro4.util.get_serializer(name).serializeData/deserializeData`, what a Python client
 * pays) on payloads of several shapes ({@link SHAPES}): `doc-1000`, the document of docs
 * performance.md (1000 entries `'key-NNNN' -> [int, float, str, [str, str, str], [int, int,
 * int]]`), and shapes common in calls — records, multi-line text, non-ASCII text, floats,
 * ints past 32 bits, short strings. `PYROGEN_BENCH_CASES` names fewer shapes.
 *
 * Both sides time themselves in CPU time of their own process (`process.cpuUsage()`,
 * `time.process_time()`), in rounds of about 0.2 s. pyrogen runs each shape and serializer
 * in a Node process of its own (`bench/serializers-worker.ts`): in one shared process a
 * row's figure depended on the shapes measured before it. As in the `calls` part, the
 * rounds are paired: after a warm-up round on each side, {@link ROUNDS} rounds in which
 * pyrogen and Python (one long-lived process, `bench/serializers_python.py`) run back to
 * back, the order alternating; a row shows each side's median and the median of the per-round
 * ratios, since this machine's speed swings by 2x within minutes.
 * MB/s = Python's payload bytes per second for both sides, so the ratio is the ratio of
 * documents per second even where pyrogen's payload differs a little (e.g. json spacing).
 * pyrogen decodes the bytes Python produced, which is what a client receives.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { pairedRounds, pairedRow, type BenchRow } from "../lib.js";
import { selectedFrom } from "../measure.js";
import { BenchProcess, PythonBenchClient } from "../python-client.js";
import { SHAPES, type Shape } from "../serializer-shapes.js";

const NAMES = ["serpent", "json", "marshal", "msgpack"] as const;
const ROUNDS = 7;
const here = path.dirname(fileURLToPath(import.meta.url));
const SCRIPT = path.join(here, "../serializers_python.py");
const WORKER = path.join(here, "../serializers-worker.ts");

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

const RUN_SHAPES = selectedFrom(Object.keys(SHAPES) as Shape[], "PYROGEN_BENCH_CASES");

/** pyrogen's side of one shape and serializer, in a process of its own. */
class PyrogenSerializers extends BenchProcess {
  constructor() {
    super(process.execPath, [...process.execArgv, WORKER]);
  }

  /** Set up the shape; its payload's size, or why pyrogen cannot carry it. */
  setUp(shape: Shape, name: string, payload: string) {
    return this.ask<{ size?: number; error?: string }>({ shape, name, payload });
  }

  /** CPU seconds per payload over one round. */
  async round(op: Operation): Promise<number> {
    return (await this.ask<{ seconds: number }>({ op })).seconds;
  }
}

/** One shape's two rows for one serializer; pyrogen's figures are empty (reason printed) if it fails. */
async function measure(shape: Shape, name: string, python: PythonSerializers): Promise<BenchRow[]> {
  const { size, payload } = await python.payload(shape, name);
  const mb = size / 1e6;
  const ours = new PyrogenSerializers();
  try {
    const setUp = await ours.setUp(shape, name, payload);
    if (setUp.error === undefined) {
      console.log(
        `serializers: ${shape} ${name}: payload ${setUp.size} bytes from pyrogen, ${size} from Python`,
      );
    } else {
      console.log(`serializers: ${shape} ${name}: pyrogen not measured: ${setUp.error}`);
    }
    return await rowsOf(shape, name, mb, setUp.error === undefined ? ours : null, python);
  } finally {
    await ours.close();
  }
}

/** The encode and decode rows of one shape and serializer; no pyrogen figures when `ours` is null. */
async function rowsOf(
  shape: Shape,
  name: string,
  mb: number,
  ours: PyrogenSerializers | null,
  python: PythonSerializers,
): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const op of ["encode", "decode"] as const) {
    const rounds = await pairedRounds(
      1,
      ROUNDS,
      async () => (ours === null ? null : mb / (await ours.round(op))),
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
