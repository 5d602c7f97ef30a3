import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BatchResultList } from "../../src/runtime/batch.js";
import { PyroError } from "../../src/runtime/errors.js";
import { Future } from "../../src/runtime/future.js";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { SERIALIZERS, eventually, startAdvanced } from "../harness/advanced.js";
import { PythonProcesses } from "../harness/python.js";
import { GENERATIONS } from "../harness/generations.js";

const python = new PythonProcesses();
afterAll(() => python.stopAll());

/** Iterate `results` like a for loop does, collecting values until the error (if any). */
function drain(results: Iterable<unknown>): { seen: unknown[]; error: unknown } {
  const seen: unknown[] = [];
  try {
    for (const value of results) seen.push(value);
  } catch (error) {
    return { seen, error };
  }
  return { seen, error: undefined };
}

describe.each(GENERATIONS)("against $name", (generation) => {
  let uri: string;
  beforeAll(async () => {
    uri = (await startAdvanced(python, { generation: generation.protocol })).info.uri;
  });

  describe.each(SERIALIZERS)("batches with %s", (serializer) => {
    it("sends the calls as one message and gives the results in call order", async () => {
      await using proxy = new PyroProxy(uri, { serializer });
      await proxy.$bind();
      expect(proxy.$protocol).toBe(generation.protocol);
      const batch = proxy.$batch();
      batch
        .call("echo", [1])
        .call("echo", ["two"])
        .call("whoami")
        .call("echo", [[3, null]]);
      batch.call("slow", [], { seconds: 0, value: "kw" });
      expect(batch.size).toBe(5);
      const results = await batch.send();
      expect(results).toBeInstanceOf(BatchResultList);
      expect([...results]).toEqual([1, "two", "adv", [3, null], "kw"]);
      expect(results.length).toBe(5);
      expect(results.error).toBeUndefined();
      expect(batch.size).toBe(0);
    });

    it("a batch of 1000 calls comes back whole", async () => {
      await using proxy = new PyroProxy(uri, { serializer });
      const batch = proxy.$batch();
      for (let i = 0; i < 1000; i++) batch.call("echo", [i]);
      const results = await batch.send();
      expect(results.values).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    });

    it("an empty batch gives no results", async () => {
      await using proxy = new PyroProxy(uri, { serializer });
      expect([...(await proxy.$batch().send())]).toEqual([]);
    });

    it("oneway: resolves once sent, and the daemon still runs every call", async () => {
      await using proxy = new PyroProxy(uri, { serializer });
      const before = (await proxy.$call("bumps")) as number;
      const batch = proxy.$batch();
      batch.call("bump", [2]).call("bump", [3]);
      expect(await batch.send({ oneway: true })).toBeUndefined();
      const after = await eventually(
        () => proxy.$call("bumps") as Promise<number>,
        (n) => n >= before + 5,
      );
      expect(after).toBeGreaterThanOrEqual(before + 5);
    });

    it("async: sendAsync gives a Future of the results", async () => {
      await using proxy = new PyroProxy(uri, { serializer });
      const batch = proxy.$batch().call("echo", ["a"]).call("echo", ["b"]);
      const future = batch.sendAsync();
      expect(future).toBeInstanceOf(Future);
      const results = await future.value;
      expect(future.ready).toBe(true);
      expect([...results]).toEqual(["a", "b"]);
    });

    it("a generator inside a batch fails it (Pyro cannot stream in batches); the proxy recovers", async () => {
      await using proxy = new PyroProxy(uri, { serializer });
      const error = await proxy
        .$batch()
        .call("echo", [1])
        .call("gen", [3])
        .send()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PyroError);
      // Each serializer words it its own way (marshal: "unmarshallable object").
      expect((error as PyroError).remote).toBeDefined();
      expect((error as PyroError).message).toMatch(/generator|unmarshallable/);
      expect(await proxy.$call("echo", ["reconnected"])).toBe("reconnected");
    });

    it("a oneway batch with an unknown method fails silently on the daemon only", async () => {
      await using proxy = new PyroProxy(uri, { serializer });
      await proxy.$batch().call("no_such_method").send({ oneway: true });
      expect(await proxy.$call("echo", ["fine"])).toBe("fine");
    });

    it("an unknown method fails the whole batch with the daemon's error", async () => {
      await using proxy = new PyroProxy(uri, { serializer });
      const batch = proxy.$batch().call("echo", [1]).call("no_such_method");
      const error = await batch.send().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PyroError);
      expect((error as PyroError).remote).toBeDefined();
      expect(await proxy.$call("echo", ["still usable"])).toBe("still usable");
    });
  });

  // The Python daemon cannot marshal the exception marker inside a list (a Pyro4 limit), so
  // the middle-of-batch case is shown for the serializers that carry it.
  describe.each(SERIALIZERS.filter((s) => s !== "marshal"))(
    "an exception in the middle of a batch with %s",
    (serializer) => {
      it("delivers the results before it, raises where it stands, and skips the rest", async () => {
        await using proxy = new PyroProxy(uri, { serializer });
        const before = (await proxy.$call("bumps")) as number;
        const batch = proxy.$batch();
        batch
          .call("echo", [1])
          .call("echo", ["two"])
          .call("fail", ["bad value"])
          .call("bump", [100]);
        const results = await batch.send();
        expect(results.length).toBe(2);
        expect(results.values).toEqual([1, "two"]);
        const { seen, error } = drain(results);
        expect(seen).toEqual([1, "two"]);
        expect(error).toBe(results.error);
        expect(error).toBeInstanceOf(PyroError);
        expect((error as PyroError).remote?.type).toBe("builtins.ValueError");
        expect((error as PyroError).remote?.args).toEqual(["bad value", 42]);
        expect(() => {
          const [, , third] = results;
          return third;
        }).toThrow("bad value");
        // The call after the failing one never ran.
        expect(await proxy.$call("bumps")).toBe(before);
      });
    },
  );

  describe("marshal batches", () => {
    it("an exception in the middle fails the whole batch: the daemon cannot marshal the marker", async () => {
      await using proxy = new PyroProxy(uri, { serializer: "marshal" });
      const batch = proxy.$batch().call("echo", [1]).call("fail", ["x"]);
      const error = await batch.send().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PyroError);
      expect((error as PyroError).message).toContain("unmarshallable object");
    });
  });
});
