import { describe, expect, it } from "vitest";
import { BatchResultList } from "../../src/runtime/batch.js";
import { PyroError } from "../../src/runtime/errors.js";

describe("BatchResultList (pure)", () => {
  it("without an error it is a plain iterable of the values", () => {
    const results = new BatchResultList([1, "two", null]);
    expect([...results]).toEqual([1, "two", null]);
    expect(results.length).toBe(3);
    expect(results.error).toBeUndefined();
  });

  it("throws the error after the values that came back, every time it is iterated", () => {
    const error = new PyroError("remote", "remote ValueError: bad");
    const results = new BatchResultList([1, 2], error);
    for (let round = 0; round < 2; round++) {
      const seen: unknown[] = [];
      expect(() => {
        for (const value of results) seen.push(value);
      }).toThrow(error);
      expect(seen).toEqual([1, 2]);
    }
    expect(results.length).toBe(2);
  });

  it("destructuring up to the failed position throws; before it does not", () => {
    const error = new PyroError("remote", "remote ValueError: third");
    const results = new BatchResultList(["a", "b"], error);
    const [a, b] = results;
    expect([a, b]).toEqual(["a", "b"]);
    expect(() => {
      const [, , c] = results;
      return c;
    }).toThrow("third");
  });

  it("a first call that failed gives no values at all", () => {
    const results = new BatchResultList([], new PyroError("remote", "first"));
    expect(results.length).toBe(0);
    expect(() => [...results]).toThrow("first");
  });
});
