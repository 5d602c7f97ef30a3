/** copyOf: annotation values in memory of their own (pure). */
import { describe, expect, it } from "vitest";
import { copyOf } from "../../src/runtime/protocol/annotation-value.js";

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
