/**
 * The msgpack decoder keeps recently decoded short map keys in a fixed-size cache. Many more
 * distinct keys than slots force collisions; every key must still come back exactly.
 */
import { describe, expect, it } from "vitest";
import { createSerializer } from "../../src/runtime/serializers/index.js";

function keys(count: number, seed: number): string[] {
  const out: string[] = [];
  let state = seed;
  for (let i = 0; i < count; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    const length = 1 + (state % 16);
    let key = "";
    for (let c = 0; c < length; c++) {
      state = (state * 1103515245 + 12345) >>> 0;
      key += String.fromCharCode(33 + (state % 94));
    }
    out.push(`${key}${i}`.slice(-16));
  }
  return out;
}

describe("msgpack map-key cache", () => {
  it("returns every key exactly when far more keys than cache slots collide", () => {
    const msgpack = createSerializer("msgpack");
    for (const seed of [1, 2, 3]) {
      const names = keys(20_000, seed);
      const dict = Object.fromEntries(names.map((name, i) => [name, i]));
      const decoded = msgpack.loads(msgpack.dumps(dict)) as Record<string, number>;
      expect(Object.keys(decoded)).toEqual(Object.keys(dict));
      expect(decoded).toEqual(dict);
    }
  });

  it("does not confuse keys of equal length and hash-alike content across payloads", () => {
    const msgpack = createSerializer("msgpack");
    const first = msgpack.loads(msgpack.dumps({ abcd: 1, __proto__x: 2 }));
    const second = msgpack.loads(msgpack.dumps({ abce: 1, __proto__y: 2 }));
    expect(Object.keys(first as object)).toEqual(["abcd", "__proto__x"]);
    expect(Object.keys(second as object)).toEqual(["abce", "__proto__y"]);
  });
});
