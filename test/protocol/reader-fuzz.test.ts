/**
 * Hostile input for MessageReader: random bytes, truncated and bit-flipped real captures,
 * absurd announced lengths, and valid messages, each fed in random chunkings, pushed or read
 * into the reader's own buffers. Every case must end in messages and at most one typed
 * PyroError, the same for every chunking.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import assert from "node:assert/strict";
import fc from "fast-check";
import { describe, it } from "vitest";
import { PyroError } from "../../src/runtime/errors.js";
import { type Message } from "../../src/runtime/protocol/message.js";
import { MessageReader, type ReaderOptions } from "../../src/runtime/protocol/reader.js";
import { ROOT } from "../harness/python.js";
import { encodeMessage, pyro4Frames } from "../../src/runtime/protocol-pyro4/frames.js";

const CAPTURES = path.join(ROOT, "test", "vectors", "pyro4-4.82");
const MAX = 1024 * 1024;
const HMAC_KEY = new TextEncoder().encode("fixture-hmac-key");
const CODES = new Set(["protocol", "message-too-large", "security"]);

const captures = (
  JSON.parse(readFileSync(path.join(CAPTURES, "index.json"), "utf8")) as {
    messages: { file: string; target: string }[];
  }
).messages.map((m) => ({
  bytes: new Uint8Array(readFileSync(path.join(CAPTURES, m.file))),
  hmac: m.target === "echoserver_hmac",
}));

interface Outcome {
  messages: string[];
  error: string | undefined;
  consumed: number;
}

/**
 * How bytes reach the reader: `push`ed chunks (a stream's `data` events), or reads into the
 * buffers it hands out (a socket with `onread`), every fifth read going into a buffer the
 * reader did not hand out, as a read that was under way before it took over.
 */
type Feeding = "push" | "into";

/** Feed `bytes` in chunks whose sizes cycle through `sizes`; collect what comes out. */
function run(
  bytes: Uint8Array,
  sizes: readonly number[],
  options: ReaderOptions,
  feeding: Feeding = "push",
): Outcome {
  const reader = new MessageReader(pyro4Frames, { maxMessageSize: MAX, ...options });
  const messages: Message[] = [];
  let offset = 0;
  let error: string | undefined;
  try {
    for (let k = 0; offset < bytes.length; k++) {
      const size = sizes[k % sizes.length]!;
      if (feeding === "push") {
        const chunk = bytes.subarray(offset, offset + size);
        offset += chunk.length;
        reader.push(chunk);
      } else {
        const target = k % 5 === 4 ? new Uint8Array(size) : reader.readBuffer();
        const chunk = bytes.subarray(offset, offset + Math.min(size, target.length));
        target.set(chunk);
        offset += chunk.length;
        reader.received(target, chunk.length);
      }
      for (let msg = reader.read(); msg !== undefined; msg = reader.read()) messages.push(msg);
    }
  } catch (e) {
    if (!(e instanceof PyroError) || !CODES.has(e.code)) throw e;
    error = `${e.code}: ${e.message}`;
  }
  for (const msg of messages) {
    if (msg.data.length > MAX)
      throw new Error(`message of ${msg.data.length} bytes passed the max`);
  }
  return { messages: messages.map(describeMessage), error, consumed: offset };
}

function describeMessage(m: Message): string {
  const annotations = [...m.annotations].map(([k, v]) => `${k}=${Buffer.from(v).toString("hex")}`);
  return `${m.type}/${m.flags}/${m.seq}/${m.serializerId}/${annotations.join(",")}/${Buffer.from(m.data).toString("hex")}`;
}

/** The outcome must not depend on how the bytes were split. */
function checkChunkingInvariance(
  bytes: Uint8Array,
  sizes: readonly number[],
  options: ReaderOptions,
) {
  const whole = run(bytes, [Math.max(1, bytes.length)], options);
  const chunked = run(bytes, sizes, options);
  const readInto = run(bytes, sizes, options, "into");
  // node:assert rather than expect: it is much cheaper per call, and this runs 100k times.
  assert.deepStrictEqual(chunked.messages, whole.messages);
  assert.equal(chunked.error, whole.error);
  assert.deepStrictEqual(readInto.messages, whole.messages);
  assert.equal(readInto.error, whole.error);
  return chunked;
}

const chunkSizes = fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 12 });
const capture = fc.constantFrom(...captures);
const options = (hmac: boolean): ReaderOptions => (hmac ? { hmacKey: HMAC_KEY } : {});

describe("MessageReader under hostile input (fast-check, > 100,000 cases)", () => {
  it("random bytes, also behind a valid-looking magic and version", { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 120 }),
        fc.boolean(),
        chunkSizes,
        (noise, withMagic, sizes) => {
          const bytes = withMagic
            ? Buffer.concat([Buffer.from("PYRO\x00\x30", "latin1"), noise])
            : noise;
          checkChunkingInvariance(bytes, sizes, {});
        },
      ),
      { numRuns: 25_000 },
    );
  });

  it("truncated real messages wait for more data and never fail", { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(
        capture,
        fc.double({ min: 0, max: 1, noNaN: true }),
        chunkSizes,
        (c, at, sizes) => {
          const cut = Math.min(c.bytes.length - 1, Math.floor(at * c.bytes.length));
          const reader = new MessageReader(pyro4Frames, options(c.hmac));
          const result = run(c.bytes.subarray(0, cut), sizes, options(c.hmac));
          assert.deepStrictEqual(result, { messages: [], error: undefined, consumed: cut });
          assert.equal([...reader.feed(c.bytes.subarray(0, cut))].length, 0);
          assert.equal(reader.bufferedBytes, cut);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it(
    "bit flips in real messages (two in a row) end in messages or a typed error",
    { timeout: 120_000 },
    () => {
      fc.assert(
        fc.property(
          capture,
          capture,
          fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
          chunkSizes,
          (a, b, flips, sizes) => {
            const bytes = Buffer.concat([a.bytes, b.bytes]);
            for (const f of flips) {
              const bit = f % (bytes.length * 8);
              bytes.writeUInt8(bytes.readUInt8(bit >> 3) ^ (1 << (bit & 7)), bit >> 3);
            }
            const hmac = a.hmac || b.hmac;
            const result = checkChunkingInvariance(bytes, sizes, options(hmac));
            // Flips can shorten a message (e.g. flags +32, length -32 keeps the checksum), so
            // an error may follow two messages; no payload holds a header, so never a third.
            assert.ok(result.messages.length <= 2);
          },
        ),
        { numRuns: 25_000 },
      );
    },
  );

  it(
    "announced lengths beyond the max fail at the header, before the body",
    { timeout: 120_000 },
    () => {
      fc.assert(
        fc.property(
          fc.oneof(fc.integer({ min: 0, max: 0x7fffffff }), fc.integer({ min: 0, max: MAX + 10 })),
          fc.integer({ min: 0, max: 0xffff }),
          fc.integer({ min: 1, max: 24 }),
          (dataSize, annotationsSize, firstChunk) => {
            const header = Buffer.alloc(24);
            header.write("PYRO", 0, "latin1");
            header.writeUInt16BE(48, 4);
            header.writeUInt16BE(5, 6);
            header.writeInt32BE(dataSize, 12);
            header.writeUInt16BE(2, 16);
            header.writeUInt16BE(annotationsSize, 18);
            header.writeUInt16BE((5 + 48 + dataSize + annotationsSize + 2 + 0x34e9) & 0xffff, 22);
            const result = run(header, [firstChunk, 24], {});
            if (dataSize + annotationsSize > MAX) {
              assert.equal(
                result.error,
                `message-too-large: max message size exceeded (${dataSize + annotationsSize} where max=${MAX}); ` +
                  "the connection must be closed, raise maxMessageSize if such messages are expected",
              );
            } else {
              assert.equal(result.error, undefined);
            }
            // Only an empty message is complete after the header alone.
            assert.equal(result.messages.length, dataSize + annotationsSize === 0 ? 1 : 0);
          },
        ),
        { numRuns: 15_000 },
      );
    },
  );

  it("valid messages of any shape round-trip through any chunking", { timeout: 120_000 }, () => {
    const annotation = fc.tuple(
      fc.string({
        unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)),
        minLength: 4,
        maxLength: 4,
      }),
      fc.uint8Array({ maxLength: 40 }),
    );
    const message = fc.record({
      type: fc.integer({ min: 0, max: 0xffff }),
      flags: fc.integer({ min: 0, max: 0xffff }).map((f) => f & ~0x02),
      seq: fc.integer({ min: 0, max: 0xffff }),
      serializerId: fc.integer({ min: 0, max: 0xffff }),
      annotations: fc
        .uniqueArray(annotation, { selector: ([k]) => k, maxLength: 4 })
        .map((entries) => new Map(entries.filter(([k]) => k !== "HMAC"))),
      data: fc.oneof(
        fc.uint8Array({ maxLength: 300 }),
        fc.string({ maxLength: 60 }).map((s) => new TextEncoder().encode(s.repeat(8))),
      ),
    });
    fc.assert(
      fc.property(
        fc.array(message, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        fc.boolean(),
        chunkSizes,
        (messages, compress, sign, sizes) => {
          const encodeOptions = { compress, hmacKey: sign ? HMAC_KEY : undefined };
          const bytes = Buffer.concat(messages.map((m) => encodeMessage(m, encodeOptions)));
          const result = checkChunkingInvariance(bytes, sizes, options(sign));
          assert.equal(result.error, undefined);
          const expected = messages.map((m) => {
            const annotations = new Map(m.annotations);
            if (sign) annotations.set("HMAC", new Uint8Array(0));
            return describeMessage({ ...m, annotations }).replace(/HMAC=[0-9a-f]*/, "HMAC");
          });
          assert.deepStrictEqual(
            result.messages.map((d) => d.replace(/HMAC=[0-9a-f]*/, "HMAC")),
            expected,
          );
        },
      ),
      { numRuns: 20_000 },
    );
  });
});
