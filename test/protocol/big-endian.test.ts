/**
 * The byte-by-byte header field helpers agree with `Buffer`'s own readers and writers,
 * at the edges where sign bits and byte order go wrong.
 */
import { describe, expect, it } from "vitest";
import { get16, get32, put16, put32 } from "../../src/runtime/protocol/big-endian.js";
import { pyro5 } from "../../src/runtime/protocol-pyro5/index.js";

const U16 = [0, 1, 0x00ff, 0x0100, 0x7fff, 0x8000, 0xfffe, 0xffff];
const U32 = [0, 1, 0xff, 0x0100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xdeadbeef, 0xffffffff];

describe("big-endian header fields", () => {
  it("writes u16 values as Buffer#writeUInt16BE does, and reads them back", () => {
    for (const value of U16) {
      const ours = Buffer.alloc(5, 0xaa);
      const theirs = Buffer.alloc(5, 0xaa);
      put16(ours, 2, value);
      theirs.writeUInt16BE(value, 2);
      expect(ours.equals(theirs), `0x${value.toString(16)}`).toBe(true);
      expect(get16(theirs, 2)).toBe(value);
    }
  });

  it("writes u32 values as Buffer#writeUInt32BE does, and reads them back unsigned", () => {
    for (const value of U32) {
      const ours = Buffer.alloc(7, 0xaa);
      const theirs = Buffer.alloc(7, 0xaa);
      put32(ours, 1, value);
      theirs.writeUInt32BE(value, 1);
      expect(ours.equals(theirs), `0x${value.toString(16)}`).toBe(true);
      expect(get32(theirs, 1)).toBe(value);
    }
  });

  it("a Pyro5 header's u32 sizes above 2^31 stay positive", () => {
    const data = Buffer.from("payload");
    const head = pyro5.frames.encode(
      { type: 5, flags: 0, seq: 0xfffe, serializerId: 4, annotations: new Map(), data },
      {},
      false,
    ).head;
    Buffer.from(head.buffer, head.byteOffset, head.length).writeUInt32BE(0x80000001, 12);
    const header = pyro5.frames.decodeHeader(head, 0);
    expect(header.dataSize).toBe(0x80000001);
    expect(header.seq).toBe(0xfffe);
    expect(header.serializerId).toBe(4);
  });
});
