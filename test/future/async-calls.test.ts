import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PyroError } from "../../src/runtime/errors.js";
import { Future } from "../../src/runtime/future.js";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { SERIALIZERS, eventually, startAdvanced } from "../harness/advanced.js";
import { PythonProcesses } from "../harness/python.js";
import { GENERATIONS } from "../harness/generations.js";

const python = new PythonProcesses();
afterAll(() => python.stopAll());

describe.each(GENERATIONS)("against $name", (generation) => {
  let uri: string;
  let smallPoolUri: string;
  beforeAll(async () => {
    const [normal, smallPool] = await Promise.all([
      startAdvanced(python, { generation: generation.protocol }),
      startAdvanced(python, {
        generation: generation.protocol,
        env: { PYRO_THREADPOOL_SIZE: "2", PYRO_THREADPOOL_SIZE_MIN: "1" },
      }),
    ]);
    uri = normal.info.uri;
    smallPoolUri = smallPool.info.uri;
  });

  describe.each(SERIALIZERS)("async calls with %s", (serializer) => {
    it("returns a Future holding the result", async () => {
      await using proxy = new PyroProxy(uri, { serializer });
      const future = proxy.$async.call("slow", [0.05, "done"]);
      expect(future).toBeInstanceOf(Future);
      expect(future.ready).toBe(false);
      expect(await future.wait(10_000)).toBe(true);
      expect(future.ready).toBe(true);
      expect(await future.value).toBe("done");
    });

    it("a remote error is raised when the value is read, and reaches iferror", async () => {
      await using proxy = new PyroProxy(uri, { serializer });
      const seen: unknown[] = [];
      const future = proxy.$async.call("fail", ["async boom"]).iferror((e) => seen.push(e));
      await future.wait();
      const error = await future.value.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PyroError);
      expect((error as PyroError).remote?.type).toBe("builtins.ValueError");
      expect(seen).toEqual([error]);
    });
  });

  /**
   * The daemon's open connections once earlier tests' closed ones are gone: 1, this proxy's
   * (this file has the daemon to itself).
   */
  async function onlyThisProxy(proxy: PyroProxy): Promise<number> {
    const count = await eventually(
      () => proxy.$call("open_connections") as Promise<number>,
      (n) => n === 1,
    );
    expect(count).toBe(1);
    return count;
  }

  describe("async call behaviour", () => {
    it("then-chains run on the result", async () => {
      await using proxy = new PyroProxy(uri);
      const future = proxy.$async
        .call("echo", [20])
        .then((v) => (v as number) + 1)
        .then((v) => proxy.$call("echo", [v * 2]));
      expect(await future.value).toBe(42);
    });

    it("calls run in parallel, each on its own connection", async () => {
      await using proxy = new PyroProxy(uri);
      // The daemon's barrier only opens when both calls are inside it at the same time:
      // on one connection the second would wait for the first, which would time out.
      const key = `parallel-${Date.now()}`;
      const futures = [
        proxy.$async.call("rendezvous", [key, 2, 10]),
        proxy.$async.call("rendezvous", [key, 2, 10]),
      ];
      expect(await Promise.all(futures.map((f) => f.value))).toEqual([key, key]);
    });

    it("does not leak connections: each is closed when its call is done", async () => {
      await using proxy = new PyroProxy(uri);
      const base = await onlyThisProxy(proxy);
      const futures = Array.from({ length: 8 }, (_, i) => proxy.$async.call("slow", [0.02, i]));
      expect(await Promise.all(futures.map((f) => f.value))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      const after = await eventually(
        () => proxy.$call("open_connections") as Promise<number>,
        (n) => n === base,
      );
      expect(after).toBe(base);
      // The proxy's own connection was not used for the async calls.
      expect(proxy.$connected).toBe(true);
    });

    it("closes its connection after a failed call too", async () => {
      await using proxy = new PyroProxy(uri);
      const base = await onlyThisProxy(proxy);
      await proxy.$async.call("fail", ["x"]).wait();
      const after = await eventually(
        () => proxy.$call("open_connections") as Promise<number>,
        (n) => n === base,
      );
      expect(after).toBe(base);
    });

    it("an AbortSignal ends the call with an 'aborted' error and closes its connection", async () => {
      await using proxy = new PyroProxy(uri);
      const base = await onlyThisProxy(proxy);
      const controller = new AbortController();
      const future = proxy.$async.call("slow", [2, "late"], null, { signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      const error = await future.value.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PyroError);
      expect((error as PyroError).code).toBe("aborted");
      const after = await eventually(
        () => proxy.$call("open_connections") as Promise<number>,
        (n) => n === base,
      );
      expect(after).toBe(base);
    });

    it("waits for a free worker when a thread-pool daemon is full, as Pyro4 does", async () => {
      // Pool of 2: this proxy holds one worker, the first async call the other; the second
      // async call is refused ("no free workers") until the first one is done.
      await using proxy = new PyroProxy(smallPoolUri);
      expect(await proxy.$call("echo", [0])).toBe(0);
      const first = proxy.$async.call("slow", [0.5, "first"]);
      const second = proxy.$async.call("echo", ["second"]);
      expect(await second.value).toBe("second");
      expect(await first.value).toBe("first");
    });
  });
});
