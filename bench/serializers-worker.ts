/**
 * pyrogen's side of the `serializers` part for one shape and serializer, in a process of its
 * own: a row measured in the bench process read up to 2x apart from run to run, depending
 * on what the shapes before it had left in the process (docs/bench-calls.md, "Issue 17,
 * twelfth pass"). One JSON request per stdin line, one JSON reply per stdout line:
 *   {"shape": SHAPE, "name": NAME, "payload": base64 of Python's bytes}
 *       -> {"size": bytes of pyrogen's payload} or {"error": why pyrogen cannot carry it}
 *   {"op": "encode" | "decode"} -> {"seconds": CPU seconds per payload over one round}
 * A round lasts about 0.2 s (the count is calibrated once per operation). The process ends
 * at the end of stdin.
 */
import { createInterface } from "node:readline";
import { isDeepStrictEqual } from "node:util";
import { SHAPES, type Shape } from "./serializer-shapes.js";
import { createSerializer } from "../src/runtime/serializers/index.js";
import type { Serializer } from "../src/runtime/serializers/serializer.js";

const ROUND_MS = 200;

/** One operation's rounds: calibrated once, then CPU seconds per call per round. */
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
function check(serializer: Serializer, received: Uint8Array, value: unknown): void {
  if (!isDeepStrictEqual(serializer.loads(received), value)) {
    throw new Error("decoding Python's payload does not give the value back");
  }
  if (!isDeepStrictEqual(serializer.loads(serializer.dumps(value)), value)) {
    throw new Error("its own payload does not round-trip");
  }
}

let rounds: Record<"encode" | "decode", () => number> | null = null;

function answer(request: Record<string, string>): object {
  const op = request["op"];
  if (op === "encode" || op === "decode") {
    if (rounds === null) throw new Error("no shape set up");
    return { seconds: rounds[op]() };
  }
  const value = SHAPES[request["shape"] as Shape]();
  const received = Buffer.from(request["payload"]!, "base64");
  const serializer = createSerializer(request["name"]!);
  check(serializer, received, value);
  rounds = {
    encode: roundsOf(() => serializer.dumps(value)),
    decode: roundsOf(() => serializer.loads(received)),
  };
  return { size: serializer.dumps(value).length };
}

for await (const line of createInterface({ input: process.stdin })) {
  let reply: object;
  try {
    reply = answer(JSON.parse(line) as Record<string, string>);
  } catch (error) {
    reply = { error: error instanceof Error ? error.message : String(error) };
  }
  process.stdout.write(JSON.stringify(reply) + "\n");
}
