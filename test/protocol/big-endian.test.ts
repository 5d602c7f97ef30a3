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
  it.each([
    { bits: 16, values: U16, put: put16, get: get16, write: "writeUInt16BE" as const },
    { bits: 32, values: U32, put: put32, get: get32, write: "writeUInt32BE" as const },
  ])("writes u$bits values as Buffer does, and reads them back unsigned", (field) => {
    for (const value of field.values) {
      const ours = Buffer.alloc(7, 0xaa);
      const theirs = Buffer.alloc(7, 0xaa);
      field.put(ours, 1, value);
      theirs[field.write](value, 1);
      expect(ours.equals(theirs), `0x${value.toString(16)}`).toBe(true);
      expect(field.get(theirs, 1)).toBe(value);
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
