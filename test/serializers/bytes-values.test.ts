/**
 * Received bytes values: copies below 64 KiB (a small value must not keep a shared receive
 * buffer alive), views of the payload from 64 KiB on (copying megabytes per call costs more
 * than the call); always plain `Uint8Array`s, never `Buffer`s.
 */
import { describe, expect, it } from "vitest";
import { payloadViewCount } from "../../src/runtime/serializers/codec-util.js";
import { createSerializer } from "../../src/runtime/serializers/index.js";

describe.each(["marshal", "msgpack"] as const)("bytes values from %s", (name) => {
  const serializer = createSerializer(name);

  for (const size of [10, 64 * 1024 - 1, 64 * 1024, 1 << 20]) {
    it(`${size} bytes: ${size >= 64 * 1024 ? "a view of the payload" : "a copy"}`, () => {
      const sent = Uint8Array.from({ length: size }, (_, i) => (i * 7) & 0xff);
      // A Buffer payload, as the reader hands out.
      const payload = Buffer.from(serializer.dumps(sent));
      const views = payloadViewCount();
      const received = serializer.loads(payload) as Uint8Array;
      expect(received.constructor).toBe(Uint8Array);
      expect(Buffer.compare(received, sent)).toBe(0);
      expect(received.buffer === payload.buffer).toBe(size >= 64 * 1024);
      // Counted: the proxy releases a reply's memory for reuse only when nothing views it.
      expect(payloadViewCount() - views).toBe(size >= 64 * 1024 ? 1 : 0);
    });
  }
});

describe.each(["marshal", "msgpack"] as const)("encoded payloads from %s", (name) => {
  const serializer = createSerializer(name);

  for (const size of [10, 64 * 1024, 1 << 20]) {
    it(`of a ${size}-byte value: a plain Uint8Array of its own, every byte written`, () => {
      const sent = Uint8Array.from({ length: size }, (_, i) => (i * 13) & 0xff);
      const first = serializer.dumps(sent);
      // A second encode reuses the writer's buffer: the first result must not change.
      const second = serializer.dumps(new Uint8Array(size).fill(0xee));
      expect(first.constructor).toBe(Uint8Array);
      expect(first.byteOffset).toBe(0);
      expect(first.buffer.byteLength).toBe(first.length);
      expect(Buffer.compare(serializer.loads(first) as Uint8Array, sent)).toBe(0);
      expect(Buffer.compare(serializer.loads(second) as Uint8Array, sent)).not.toBe(0);
    });
  }
});

describe.each(["serpent", "json"] as const)("large values from %s", (name) => {
  it("view nothing of their payload", () => {
    const serializer = createSerializer(name);
    const sent = name === "serpent" ? new Uint8Array(1 << 20).fill(7) : "x".repeat(1 << 20);
    const views = payloadViewCount();
    const received = serializer.loads(Buffer.from(serializer.dumps([sent, "y".repeat(70_000)])));
    expect(payloadViewCount()).toBe(views);
    expect((received as unknown[]).length).toBe(2);
  });
});
