import { describe, expect, it } from "vitest";
import { deflateSync } from "node:zlib";
import { PyroError } from "../../src/runtime/errors.js";
import { MessageFlag, MessageType } from "../../src/runtime/protocol/constants.js";
import { type Message } from "../../src/runtime/protocol/message.js";
import { MessageReader, type ReaderOptions } from "../../src/runtime/protocol/reader.js";
import { collectGarbage } from "../harness/bounds.js";
import { runPython } from "../harness/python.js";
import { encodeMessage, pyro4Frames } from "../../src/runtime/protocol-pyro4/frames.js";

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const fromHex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, "hex"));

function message(fields: Partial<Message> = {}): Message {
  return {
    type: MessageType.RESULT,
    flags: 0,
    seq: 1,
    serializerId: 2,
    annotations: new Map(),
    data: text('"hello"'),
    ...fields,
  };
}

/** The message with plain Uint8Arrays (readers may hand out Buffers), for deep equality. */
function plain(msg: Message): Message {
  return {
    ...msg,
    data: Uint8Array.from(msg.data),
    annotations: new Map([...msg.annotations].map(([k, v]) => [k, Uint8Array.from(v)])),
  };
}

/** Feed `bytes` in chunks of `size` and collect every message. */
function readAll(bytes: Uint8Array, size: number, options: ReaderOptions = {}): Message[] {
  const reader = new MessageReader(pyro4Frames, options);
  const out: Message[] = [];
  for (let i = 0; i < bytes.length; i += size) {
    out.push(...reader.feed(bytes.subarray(i, i + size)));
  }
  expect(reader.bufferedBytes).toBe(0);
  return out.map(plain);
}

function readError(bytes: Uint8Array, options: ReaderOptions = {}): PyroError {
  const reader = new MessageReader(pyro4Frames, options);
  try {
    for (const _ of reader.feed(bytes)) {
      // drain
    }
  } catch (error) {
    expect(error).toBeInstanceOf(PyroError);
    expect(reader.failure).toBe(error);
    // The reader stays failed: the stream position is lost.
    expect(() => reader.push(text("x"))).toThrow(error as Error);
    return error as PyroError;
  }
  return expect.fail("expected a PyroError");
}

/** A header with the given fields and a correct checksum. */
function header(f: { type?: number; flags?: number; dataSize: number; annotationsSize?: number }) {
  const b = Buffer.alloc(24);
  const type = f.type ?? MessageType.RESULT;
  const flags = f.flags ?? 0;
  const ann = f.annotationsSize ?? 0;
  b.write("PYRO", 0, "latin1");
  b.writeUInt16BE(48, 4);
  b.writeUInt16BE(type, 6);
  b.writeUInt16BE(flags, 8);
  b.writeUInt16BE(1, 10);
  b.writeInt32BE(f.dataSize, 12);
  b.writeUInt16BE(2, 16);
  b.writeUInt16BE(ann, 18);
  b.writeUInt16BE((type + 48 + f.dataSize + ann + 2 + flags + 1 + 0x34e9) & 0xffff, 22);
  return b;
}

describe("MessageReader", () => {
  const corr = fromHex("80d38d4ad6b941c2a2cc7f0dab52f8ff");
  const sample = [
    message({ annotations: new Map([["CORR", corr]]) }),
    message({ seq: 2, data: new Uint8Array(0) }),
    message({ type: MessageType.PING, seq: 3, serializerId: 42, data: text("pong") }),
    message({ seq: 4, flags: MessageFlag.EXCEPTION, data: text("x".repeat(5000)) }),
  ];
  const stream = Buffer.concat(sample.map((m) => encodeMessage(m)));

  it("yields the same messages for every chunking, one byte at a time included", () => {
    for (const size of [1, 2, 7, 23, 24, 25, 100, 4096, stream.length]) {
      const got = readAll(stream, size);
      expect(got).toEqual(sample);
    }
  });

  it("hands out views into a chunk that holds whole messages (no copy)", () => {
    const reader = new MessageReader(pyro4Frames);
    const [first] = [...reader.feed(stream)];
    expect(first!.data.buffer).toBe(stream.buffer);
  });

  it("keeps unread messages buffered when iteration stops early", () => {
    const reader = new MessageReader(pyro4Frames);
    for (const msg of reader.feed(stream)) {
      expect(msg.seq).toBe(1);
      break;
    }
    expect(reader.bufferedBytes).toBe(stream.length - encodeMessage(sample[0]!).length);
    expect([...reader.feed(new Uint8Array(0))].map((m) => m.seq)).toEqual([2, 3, 4]);
  });

  it("reports a partial message through bufferedBytes", () => {
    const reader = new MessageReader(pyro4Frames);
    expect([...reader.feed(stream.subarray(0, 30))]).toEqual([]);
    expect(reader.bufferedBytes).toBe(30);
    expect(reader.read()).toBeUndefined();
  });

  describe("reads into the buffers it hands out", () => {
    /** Bytes that differ at every position, so a shifted or repeated byte cannot pass. */
    const pattern = (length: number): Uint8Array =>
      Uint8Array.from({ length }, (_, i) => (i * 31 + (i >> 8)) & 0xff);
    const large = message({ seq: 9, data: pattern(300_000) });
    const mixed = [sample[0]!, large, sample[1]!, message({ seq: 10, data: pattern(70_000) })];
    const mixedStream = Buffer.concat(mixed.map((m) => encodeMessage(m)));

    /** A message as one comparable string (deep equality of 300 KB arrays is slow). */
    const summary = (m: Message): string =>
      JSON.stringify([m.type, m.flags, m.seq, m.serializerId, [...m.annotations.keys()]]) +
      Buffer.from(m.data).toString("hex");

    /** Act as a socket: each read copies at most `size` bytes into `readBuffer()`. */
    function readInto(reader: MessageReader, bytes: Uint8Array, size: number): Message[] {
      const out: Message[] = [];
      for (let offset = 0; offset < bytes.length;) {
        const target = reader.readBuffer();
        const count = Math.min(size, target.length, bytes.length - offset);
        target.set(bytes.subarray(offset, offset + count));
        offset += count;
        reader.received(target, count);
        for (let msg = reader.read(); msg !== undefined; msg = reader.read()) out.push(msg);
      }
      return out;
    }

    it("gives the same messages as pushed chunks, for any read size", () => {
      for (const size of [1, 23, 24, 1000, 16 * 1024, 64 * 1024, 1 << 20]) {
        const reader = new MessageReader(pyro4Frames);
        expect(readInto(reader, mixedStream, size).map(summary)).toEqual(mixed.map(summary));
        expect(reader.bufferedBytes).toBe(0);
      }
    });

    it("reads a large body straight into a buffer of its own (no copy after the read)", () => {
      const reader = new MessageReader(pyro4Frames);
      const head = encodeMessage(large).subarray(0, 24 + 1000);
      expect(readInto(reader, head, 1 << 20)).toEqual([]);
      const target = reader.readBuffer();
      // The rest of the body, exactly: a read can never run into the next message.
      expect(target.length).toBe(large.data.length - 1000);
      expect(reader.bufferedBytes).toBe(24 + 1000);
      target.set(large.data.subarray(1000));
      reader.received(target, target.length);
      const msg = reader.read()!;
      expect(summary(msg)).toBe(summary(large));
      expect(msg.data.buffer).toBe(target.buffer);
      expect(msg.data.byteLength).toBe(msg.data.buffer.byteLength);
    });

    it("packs small messages side by side into slabs: a small first one, then 64 KiB", () => {
      const reader = new MessageReader(pyro4Frames);
      const [a, b] = [encodeMessage(sample[0]!), encodeMessage(sample[2]!)];
      const [first] = readInto(reader, a, a.length);
      const [second] = readInto(reader, b, b.length);
      expect(first!.data.buffer).toBe(second!.data.buffer);
      expect(second!.data.byteOffset).toBeGreaterThan(first!.data.byteOffset);
      // The first slab is small (a connection may never read more than a handshake)...
      const rest = reader.readBuffer();
      expect(rest.length).toBeLessThan(4000);
      reader.received(rest, 0);
      // ...once it is mostly used, reads go into 64 KiB slabs.
      const filler = encodeMessage(message({ data: new Uint8Array(3500) }));
      expect(readInto(reader, filler, filler.length)).toHaveLength(1);
      expect(reader.readBuffer().length).toBe(64 * 1024);
    });

    /** 10 KiB replies with a CORR-like annotation, their bytes told apart by `seq`. */
    const replyMessage = (seq: number): Message =>
      message({
        seq,
        annotations: new Map([["CORR", pattern(16).map((b) => b ^ seq)]]),
        data: pattern(10 * 1024).map((b) => b ^ seq),
      });
    const reply = (seq: number): Uint8Array => encodeMessage(replyMessage(seq));

    it("reads into a full slab again once every message from it was released", () => {
      const reader = new MessageReader(pyro4Frames);
      const memory = new Set<ArrayBufferLike>();
      for (let seq = 0; seq < 100; seq++) {
        const bytes = reply(seq);
        const [msg] = readInto(reader, bytes, bytes.length);
        expect(summary(msg!)).toBe(summary(replyMessage(seq)));
        memory.add(msg!.data.buffer);
        reader.release(msg!);
      }
      // The first (pooled) slab, then two 64 KiB slabs taking turns, not one per 5 replies.
      expect(memory.size).toBeLessThanOrEqual(3);
    });

    it("hands out annotation values that keep their bytes once the slab is read into again", () => {
      const reader = new MessageReader(pyro4Frames);
      const kept: { seq: number; corr: Uint8Array }[] = [];
      for (let seq = 0; seq < 100; seq++) {
        const bytes = reply(seq);
        const [msg] = readInto(reader, bytes, bytes.length);
        kept.push({ seq, corr: msg!.annotations.get("CORR")! });
        reader.release(msg!);
      }
      for (const { seq, corr } of kept) {
        expect(Buffer.from(corr)).toEqual(Buffer.from(pattern(16).map((b) => b ^ seq)));
      }
    });

    it("never reads into a slab a message not released still views", () => {
      const reader = new MessageReader(pyro4Frames);
      const kept: { msg: Message; copy: string }[] = [];
      const memory = new Set<ArrayBufferLike>();
      for (let seq = 0; seq < 100; seq++) {
        const bytes = reply(seq);
        const [msg] = readInto(reader, bytes, bytes.length);
        memory.add(msg!.data.buffer);
        // Every 7th message is kept (not released), like a consumer holding a view.
        if (seq % 7 === 3) kept.push({ msg: msg!, copy: summary(msg!) });
        else reader.release(msg!);
      }
      for (const { msg, copy } of kept) {
        expect(summary(msg)).toBe(copy);
        expect(summary(msg)).toBe(summary(replyMessage(msg.seq)));
        expect(Buffer.from(msg.annotations.get("CORR")!)).toEqual(
          Buffer.from(pattern(16).map((b) => b ^ msg.seq)),
        );
      }
      // Slabs with a kept message were not reused: more memory than when all are released.
      expect(memory.size).toBeGreaterThan(3);
    });

    it("ignores a second release, and a release of another reader's message", () => {
      const reader = new MessageReader(pyro4Frames);
      const other = new MessageReader(pyro4Frames);
      const kept: { msg: Message; copy: string }[] = [];
      for (let seq = 0; seq < 100; seq++) {
        const bytes = reply(seq);
        const [msg] = readInto(reader, bytes, bytes.length);
        const [foreign] = readInto(other, bytes, bytes.length);
        reader.release(foreign!);
        if (seq % 7 === 3) {
          // Kept: released only by the wrong reader. Another's twice over, to no effect.
          kept.push({ msg: msg!, copy: summary(msg!) });
          other.release(msg!);
        } else {
          reader.release(msg!);
          reader.release(msg!);
        }
        other.release(foreign!);
      }
      for (const { msg, copy } of kept) expect(summary(msg)).toBe(copy);
    });

    /** A large message, its bytes told apart by `seq`, of `size` payload bytes. */
    const largeMessage = (seq: number, size: number): Message =>
      message({
        seq,
        annotations: new Map([["CORR", pattern(16).map((b) => b ^ seq)]]),
        data: pattern(size).map((b) => b ^ seq),
      });
    /**
     * Whether two messages were read into the same memory (a boolean: a failed `toBe` on two
     * large buffers would print them whole).
     */
    const sameMemory = (a: Message, b: Message): boolean => a.data.buffer === b.data.buffer;
    /** Read one large message as a socket would: the header and a little, then the rest. */
    const readLarge = (reader: MessageReader, msg: Message): Message => {
      const bytes = encodeMessage(msg);
      expect(readInto(reader, bytes.subarray(0, 1000), 1000)).toEqual([]);
      const [read] = readInto(reader, bytes.subarray(1000), 1 << 20);
      expect(summary(read!)).toBe(summary(msg));
      return read!;
    };

    it("reads the next large body into the memory of a released one", () => {
      const reader = new MessageReader(pyro4Frames);
      const first = readLarge(reader, largeMessage(1, 300_000));
      const corr = first.annotations.get("CORR")!;
      reader.release(first);
      // Smaller still fits; each one released in turn hands the memory on.
      const second = readLarge(reader, largeMessage(2, 200_000));
      expect(sameMemory(second, first)).toBe(true);
      reader.release(second);
      const third = readLarge(reader, largeMessage(3, 300_000));
      expect(sameMemory(third, first)).toBe(true);
      // The annotation values are copies: the reuse leaves them as they were.
      expect(Buffer.from(corr)).toEqual(Buffer.from(pattern(16).map((b) => b ^ 1)));
    });

    it("never reads into the body of a large message not released", () => {
      const reader = new MessageReader(pyro4Frames);
      const kept = readLarge(reader, largeMessage(1, 300_000));
      const copy = summary(kept);
      const released = readLarge(reader, largeMessage(2, 300_000));
      expect(sameMemory(released, kept)).toBe(false);
      reader.release(released);
      // Released twice, or by another reader: no effect.
      reader.release(released);
      new MessageReader(pyro4Frames).release(kept);
      const next = readLarge(reader, largeMessage(3, 300_000));
      expect(sameMemory(next, released)).toBe(true);
      const last = readLarge(reader, largeMessage(4, 300_000));
      expect([sameMemory(last, kept), sameMemory(next, kept), sameMemory(last, next)]).toEqual([
        false,
        false,
        false,
      ]);
      expect(summary(kept)).toBe(copy);
    });

    it("holds a released body weakly: a full collection frees it", async () => {
      const reader = new MessageReader(pyro4Frames);
      const released = (): WeakRef<ArrayBufferLike> => {
        const msg = readLarge(reader, largeMessage(1, 300_000));
        reader.release(msg);
        return new WeakRef(msg.data.buffer);
      };
      const memory = released();
      // A weak reference keeps its target for the rest of the job that made it.
      await new Promise((resolve) => setTimeout(resolve, 0));
      collectGarbage();
      expect(memory.deref()).toBeUndefined();
      // The reader still works, into new memory.
      expect(readLarge(reader, largeMessage(2, 300_000)).seq).toBe(2);
    });

    it("keeps the larger of two released bodies, and none beyond 4 MiB", () => {
      const reader = new MessageReader(pyro4Frames);
      const small = readLarge(reader, largeMessage(1, 100_000));
      const big = readLarge(reader, largeMessage(2, 300_000));
      reader.release(big);
      reader.release(small);
      // A body larger than the one kept is new memory; the one kept still serves later.
      const larger = readLarge(reader, largeMessage(3, 400_000));
      expect(sameMemory(larger, big)).toBe(false);
      expect(sameMemory(readLarge(reader, largeMessage(4, 250_000)), big)).toBe(true);
      const huge = readLarge(reader, largeMessage(5, 5 * 1024 * 1024));
      reader.release(huge);
      expect(sameMemory(readLarge(reader, largeMessage(6, 300_000)), huge)).toBe(false);
    });

    it("does not reuse a slab whose unread bytes start the next message", () => {
      const reader = new MessageReader(pyro4Frames);
      const stream = Buffer.concat(Array.from({ length: 40 }, (_, seq) => reply(seq)));
      // Reads of 7000 bytes: messages straddle reads, and slabs retire mid-message.
      const out: Message[] = [];
      for (let offset = 0; offset < stream.length;) {
        const target = reader.readBuffer();
        const count = Math.min(7000, target.length, stream.length - offset);
        target.set(stream.subarray(offset, offset + count));
        offset += count;
        reader.received(target, count);
        for (let msg = reader.read(); msg !== undefined; msg = reader.read()) {
          expect(msg.seq).toBe(out.length);
          expect(summary(msg)).toBe(summary(replyMessage(out.length)));
          out.push(msg);
          reader.release(msg);
        }
      }
      expect(out).toHaveLength(40);
    });

    it("copies bytes read into a buffer it did not hand out, in stream order", () => {
      const reader = new MessageReader(pyro4Frames);
      const bytes = encodeMessage(large);
      // Header and a little body, then a direct read, then a foreign buffer mid-body.
      expect(readInto(reader, bytes.subarray(0, 100), 100)).toEqual([]);
      const direct = reader.readBuffer();
      direct.set(bytes.subarray(100, 200));
      reader.received(direct, 100);
      const foreign = Buffer.from(bytes.subarray(200, 150_000));
      reader.received(foreign, foreign.length);
      foreign.fill(0);
      const [msg] = readInto(reader, bytes.subarray(150_000), 4096);
      expect(summary(msg!)).toBe(summary(large));
      // A foreign buffer running past the body's end: the rest starts the next message.
      const next = new MessageReader(pyro4Frames);
      readInto(next, bytes.subarray(0, 100), 100);
      next.readBuffer();
      const tail = Buffer.concat([bytes.subarray(100), encodeMessage(sample[0]!)]);
      next.received(tail, tail.length);
      expect([next.read(), next.read()].map((m) => summary(m!))).toEqual(
        [large, sample[0]!].map(summary),
      );
    });

    it("keeps its own copy of a message's start read into a buffer it did not hand out", () => {
      const reader = new MessageReader(pyro4Frames);
      const bytes = encodeMessage(sample[0]!);
      const foreign = Buffer.from(bytes.subarray(0, 30));
      reader.received(foreign, foreign.length);
      // Its owner reads into it again before the rest of the message arrives.
      foreign.fill(0);
      const rest = Buffer.from(bytes.subarray(30));
      reader.received(rest, rest.length);
      expect(summary(reader.read()!)).toBe(summary(sample[0]!));
    });

    it("does not reserve a body beyond 64 MiB on the header's word alone", () => {
      const reader = new MessageReader(pyro4Frames);
      const announced = header({ dataSize: 0x7fffffff });
      expect(readInto(reader, announced, 24)).toEqual([]);
      expect(reader.readBuffer().length).toBeLessThanOrEqual(64 * 1024);
    });

    it("stays failed after an error, whichever way bytes arrive", () => {
      const reader = new MessageReader(pyro4Frames);
      const bad = Buffer.from(encodeMessage(message()));
      bad[0] = 0x51;
      expect(() => readInto(reader, bad, bad.length)).toThrow(/invalid data/);
      expect(() => reader.received(reader.readBuffer(), 1)).toThrow(/invalid data/);
    });
  });

  it("refuses a wrong magic, version, checksum and a negative length", () => {
    const good = encodeMessage(message());
    const badMagic = Buffer.from(good);
    badMagic[0] = 0x51;
    expect(readError(badMagic).message).toMatch(/^invalid data or unsupported protocol version/);
    const badVersion = Buffer.from(good);
    badVersion[5] = 47;
    expect(readError(badVersion).message).toMatch(/^invalid data or unsupported protocol version/);
    const badChecksum = Buffer.from(good);
    badChecksum.writeUInt16BE(badChecksum.readUInt16BE(22) ^ 1, 22);
    expect(readError(badChecksum).message).toMatch(/^header checksum mismatch/);
    expect(readError(header({ dataSize: -1 })).message).toMatch(/^invalid data length -1/);
    for (const error of [readError(badMagic), readError(header({ dataSize: -1 }))]) {
      expect(error.code).toBe("protocol");
    }
  });

  it("refuses an oversized message right after the header, before any body arrives", () => {
    const reader = new MessageReader(pyro4Frames, { maxMessageSize: 1024 * 1024 });
    // 2 GB - 1 announced: fails on the 24 header bytes alone.
    const error = (() => {
      try {
        return [...reader.feed(header({ dataSize: 0x7fffffff }))];
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(PyroError);
    expect((error as PyroError).code).toBe("message-too-large");
    expect((error as PyroError).message).toMatch(
      /^max message size exceeded \(2147483647 where max=1048576\)/,
    );
    // Annotations count towards the limit as in Pyro4.
    const both = encodeMessage(
      message({ annotations: new Map([["CORR", corr]]), data: new Uint8Array(100) }),
    );
    expect(readError(both, { maxMessageSize: 121 }).message).toMatch(/\(122 where max=121\)/);
    expect(readAll(both, 5, { maxMessageSize: 122 })).toHaveLength(1);
  });

  it("checks annotation chunk bounds", () => {
    const stray = Buffer.concat([header({ dataSize: 0, annotationsSize: 3 }), Buffer.from("COR")]);
    expect(readError(stray).message).toMatch(/3 stray bytes/);
    const long = Buffer.concat([
      header({ dataSize: 2, annotationsSize: 8 }),
      Buffer.from("CORR"),
      Buffer.from([0, 10]),
      Buffer.from("ab"),
      Buffer.from("zz"),
    ]);
    expect(readError(long).message).toMatch(/'CORR' claims 10 bytes but only 2 remain/);
    const nonAscii = Buffer.concat([
      header({ dataSize: 0, annotationsSize: 6 }),
      Buffer.from([0xc3, 0xa9, 0x41, 0x41, 0, 0]),
    ]);
    expect(readError(nonAscii).message).toMatch(/not ASCII/);
  });

  it("lets the last of duplicate annotation keys win", () => {
    const block = Buffer.concat([
      Buffer.from("XTRA"),
      Buffer.from([0, 1]),
      Buffer.from("1"),
      Buffer.from("XTRA"),
      Buffer.from([0, 1]),
      Buffer.from("2"),
    ]);
    const bytes = Buffer.concat([header({ dataSize: 0, annotationsSize: block.length }), block]);
    const [msg] = readAll(bytes, 3);
    expect(new TextDecoder().decode(msg!.annotations.get("XTRA"))).toBe("2");
  });

  describe("HMAC", () => {
    const key = text("secret");
    const signed = encodeMessage(message({ annotations: new Map([["CORR", corr]]) }), {
      hmacKey: key,
    });

    it("verifies a signed message and keeps the HMAC chunk", () => {
      const [msg] = readAll(signed, 1, { hmacKey: key });
      expect([...msg!.annotations.keys()]).toEqual(["CORR", "HMAC"]);
      // Re-encoding with the key reproduces the frame exactly.
      expect(Buffer.from(encodeMessage(msg!, { hmacKey: key })).equals(signed)).toBe(true);
    });

    it("refuses a wrong key, altered data, and one-sided configurations", () => {
      expect(readError(signed, { hmacKey: text("secreT") }).message).toMatch(
        /^message hmac mismatch/,
      );
      const altered = Buffer.from(signed);
      altered.writeUInt8(altered.readUInt8(altered.length - 1) ^ 0x20, altered.length - 1);
      const error = readError(altered, { hmacKey: key });
      expect(error.code).toBe("security");
      expect(error.message).toMatch(/^message hmac mismatch/);
      expect(readError(signed).message).toMatch(/^hmac key config not symmetric/);
      expect(readError(encodeMessage(message()), { hmacKey: key }).message).toMatch(
        /^hmac key config not symmetric/,
      );
      expect(readError(signed).code).toBe("security");
    });

    it("verifies a live Pyro4 HMAC example", () => {
      const annotations = new Map([
        ["CORR", fromHex("ec4870ef4a8645f8952daf422889db8e")],
        ["HMAC", fromHex("10e71fc2aa4b90c0d207f4dec90cb506586298ba")],
      ]);
      const bytes = encodeMessage(
        message({
          serializerId: 1,
          annotations,
          data: text("# serpent utf-8 python3.2\n'hmac ok'"),
        }),
      );
      expect(readAll(bytes, 9, { hmacKey: key })).toHaveLength(1);
    });
  });

  describe("compression", () => {
    const payload = text("compress me ".repeat(100));

    it("inflates what it compressed and clears the flag", () => {
      const bytes = encodeMessage(message({ data: payload }), { compress: true });
      expect(bytes.length).toBeLessThan(payload.length);
      const [msg] = readAll(bytes, 11);
      expect(msg!.flags & MessageFlag.COMPRESSED).toBe(0);
      expect(msg!.data).toEqual(payload);
    });

    it("keeps the compressed bytes and the flag with inflate: false", () => {
      const bytes = encodeMessage(message({ data: payload }), { compress: true });
      const [msg] = readAll(bytes, 64, { inflate: false });
      expect(msg!.flags & MessageFlag.COMPRESSED).toBe(MessageFlag.COMPRESSED);
      expect(Buffer.from(encodeMessage(msg!)).equals(Buffer.from(bytes))).toBe(true);
    });

    it("inflates a message Python's Pyro4 compressed and signed", () => {
      const hexBytes = runPython(
        [
          "import binascii, zlib",
          "from Pyro4.message import Message",
          "data = b'[' + b', '.join(b'%d' % i for i in range(500)) + b']'",
          "m = Message(5, zlib.compress(data), 2, 2 | 1, 9, {'CORR': b'\\x01' * 16}, hmac_key=b'k')",
          "print(binascii.hexlify(m.to_bytes()).decode())",
        ].join("\n"),
      ).trim();
      const [msg] = readAll(fromHex(hexBytes), 13, { hmacKey: text("k") });
      expect(msg!.flags).toBe(MessageFlag.EXCEPTION);
      expect(JSON.parse(new TextDecoder().decode(msg!.data))).toEqual(
        Array.from({ length: 500 }, (_, i) => i),
      );
    });

    it("stops a zip bomb at the max message size", () => {
      const bomb = deflateSync(new Uint8Array(50 * 1024 * 1024));
      expect(bomb.length).toBeLessThan(100_000);
      const bytes = encodeMessage(message({ flags: MessageFlag.COMPRESSED, data: bomb }));
      const error = readError(bytes, { maxMessageSize: 1024 * 1024 });
      expect(error.code).toBe("message-too-large");
      expect(error.message).toMatch(
        /^max message size exceeded \(a compressed payload inflates beyond 1048576 bytes/,
      );
    });

    it("stops a zip bomb at 64 MiB without any max message size, naming the option", () => {
      const bomb = deflateSync(new Uint8Array(80 * 1024 * 1024));
      const bytes = encodeMessage(message({ flags: MessageFlag.COMPRESSED, data: bomb }));
      const error = readError(bytes);
      expect(error.code).toBe("message-too-large");
      expect(error.message).toContain(`inflates beyond ${64 * 1024 * 1024} bytes`);
      expect(error.message).toContain("raise maxInflatedSize");
      expect(readError(bytes, { maxInflatedSize: 1000 }).message).toContain("beyond 1000 bytes");
    });

    it("refuses corrupt compressed data as a protocol error", () => {
      const bytes = encodeMessage(
        message({ flags: MessageFlag.COMPRESSED, data: text("not zlib at all") }),
      );
      const error = readError(bytes);
      expect(error.code).toBe("protocol");
      expect(error.message).toMatch(/^invalid compressed payload/);
    });
  });
});
