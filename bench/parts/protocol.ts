/**
 * `npm run bench -- protocol`: the cost of framing one small message, pyrogen's
 * `encodeMessage` / `MessageReader` next to Pyro4's `Message.to_bytes()` / `Message.recv()`
 * (both in memory, so only the framing is timed), plus pyrogen's `MessageChannel` request/reply
 * round trip over an in-memory stream: what the channel adds on top of the socket.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { Duplex } from "node:stream";
import { fileURLToPath } from "node:url";
import { findPython, pythonEnv } from "../../test/harness/python.js";
import { row, type BenchRow } from "../lib.js";
import { median } from "../stats.js";
import { MessageChannel } from "../../src/runtime/protocol/channel.js";
import { MessageType } from "../../src/runtime/protocol/constants.js";
import { type Message } from "../../src/runtime/protocol/message.js";
import { MessageReader } from "../../src/runtime/protocol/reader.js";
import { encodeMessage, pyro4Frames } from "../../src/runtime/protocol-pyro4/frames.js";

const ROUNDS = 5;
const ROUND_MS = 200;
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), "../protocol_python.py");
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

const INVOKE: Message = {
  type: MessageType.INVOKE,
  flags: 0,
  seq: 1,
  serializerId: 2,
  annotations: new Map(),
  data: utf8(
    JSON.stringify({
      object: "protocol.test",
      method: "echo",
      params: ["hello, pyro"],
      kwargs: {},
    }),
  ),
};
const RESULT = encodeMessage({
  type: MessageType.RESULT,
  flags: 0,
  seq: 1,
  serializerId: 2,
  annotations: new Map([["CORR", new Uint8Array(16)]]),
  data: utf8('"hello, pyro"'),
});

/** µs per call of a synchronous `fn`, median of the rounds after a calibrating warm-up. */
function microseconds(fn: () => unknown): number {
  const calibrateUntil = performance.now() + ROUND_MS;
  let iterations = 0;
  for (; performance.now() < calibrateUntil; iterations++) fn();
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    for (let i = 0; i < iterations; i++) fn();
    rounds.push(((performance.now() - start) * 1000) / iterations);
  }
  return median(rounds);
}

/** The same for an asynchronous `fn`, awaited call after call. */
async function microsecondsAsync(fn: () => Promise<unknown>): Promise<number> {
  const calibrateUntil = performance.now() + ROUND_MS;
  let iterations = 0;
  for (; performance.now() < calibrateUntil; iterations++) await fn();
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    for (let i = 0; i < iterations; i++) await fn();
    rounds.push(((performance.now() - start) * 1000) / iterations);
  }
  return median(rounds);
}

/** A stream that answers every request written to it with RESULT of the same seq. */
function loopback(): Duplex {
  const stream: Duplex = new Duplex({
    read() {},
    write(chunk: Uint8Array, _encoding, callback) {
      const reply = Buffer.from(RESULT);
      const seq = (chunk[10]! << 8) | chunk[11]!;
      reply.writeUInt16BE(seq, 10);
      reply.writeUInt16BE((RESULT[22]! * 256 + RESULT[23]! - 1 + seq) & 0xffff, 22);
      stream.push(reply);
      callback();
    },
  });
  return stream;
}

/** Run the part. */
export async function run(): Promise<BenchRow[]> {
  const py = JSON.parse(
    execFileSync(findPython(), [SCRIPT], { encoding: "utf8", env: pythonEnv() }),
  ) as { encode_us: number[]; decode_us: number[] };

  const encode = microseconds(() => encodeMessage(INVOKE));
  const reader = new MessageReader(pyro4Frames);
  const decode = microseconds(() => {
    reader.push(RESULT);
    return reader.read();
  });
  const channel = new MessageChannel(loopback(), pyro4Frames);
  let seq = 0;
  const roundTrip = await microsecondsAsync(() => {
    seq = (seq + 1) & 0xffff;
    return channel.request({ ...INVOKE, seq });
  });
  channel.close();

  const rows = [
    { metric: "encode µs/msg", pyrogen: encode, python: median(py.encode_us) },
    { metric: "decode µs/msg", pyrogen: decode, python: median(py.decode_us) },
    { metric: "channel round trip µs", pyrogen: roundTrip, python: null },
  ];
  return rows.map((r) => row({ case: "small json message", serializer: "json", ...r }, "lower"));
}
