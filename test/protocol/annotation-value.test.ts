/**
 * Annotation values in memory of their own (`copyOf`), and the one shared map of messages
 * that carry none (pure).
 */
import { describe, expect, it } from "vitest";
import { copyOf } from "../../src/runtime/protocol/annotation-value.js";
import { pyro4 } from "../../src/runtime/protocol-pyro4/index.js";
import { pyro5 } from "../../src/runtime/protocol-pyro5/index.js";

describe("copyOf", () => {
  it.each([0, 1, 16, 64, 65, 5000])(
    "copies %i bytes that later writes to the source leave alone",
    (length) => {
      const source = Buffer.alloc(length + 20);
      for (let i = 0; i < source.length; i++) source[i] = (i * 7 + 3) & 0xff;
      const copy = copyOf(source, 10, 10 + length);
      const expected = Buffer.from(source.subarray(10, 10 + length));
      source.fill(0);
      expect(copy.length).toBe(length);
      expect(Buffer.from(copy)).toEqual(expected);
      expect(copy.byteLength).toBe(copy.buffer.byteLength);
    },
  );
});

describe("messages without annotations", () => {
  const frames = [pyro4.frames, pyro5.frames];

  it.each(frames)("share one empty map, which refuses changes", (codec) => {
    const first = codec.decodeAnnotations(new Uint8Array(0), 0, 0);
    const second = codec.decodeAnnotations(new Uint8Array(8), 4, 0);
    expect(first).toBe(second);
    expect(first.size).toBe(0);
    expect(() => first.set("CORR", new Uint8Array(16))).toThrow(/shared empty annotations/);
    expect(() => first.delete("CORR")).toThrow(TypeError);
    expect(() => first.clear()).toThrow(TypeError);
    expect(first.size).toBe(0);
  });

  it.each(frames)("while annotations that arrive get a map of their own", (codec) => {
    const message = {
      type: 5,
      flags: 0,
      seq: 1,
      serializerId: 1,
      annotations: new Map([["XTRA", Uint8Array.of(1, 2, 3)]]),
      data: Uint8Array.of(0x4e),
    };
    const bytes = codec.encode(message, {}, true).head;
    const header = codec.decodeHeader(bytes, 0);
    const read = () => codec.decodeAnnotations(bytes, codec.headerSize, header.annotationsSize);
    const annotations = read();
    expect(annotations).not.toBe(read());
    annotations.set("MORE", Uint8Array.of(4));
    expect([...read().keys()]).toEqual(["XTRA"]);
  });
});
