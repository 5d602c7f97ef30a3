import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PyroError } from "../../src/runtime/errors.js";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { RemoteIterator } from "../../src/runtime/stream.js";
import { SERIALIZERS, eventually, startAdvanced } from "../harness/advanced.js";
import { PythonProcesses } from "../harness/python.js";
import { GENERATIONS } from "../harness/generations.js";

const python = new PythonProcesses();
afterAll(() => python.stopAll());

async function stream(
  proxy: PyroProxy,
  method: string,
  ...args: unknown[]
): Promise<RemoteIterator> {
  const result = await proxy.$call(method, args);
  expect(result).toBeInstanceOf(RemoteIterator);
  return result as RemoteIterator;
}

async function collect(items: AsyncIterable<unknown>): Promise<unknown[]> {
  const seen: unknown[] = [];
  for await (const item of items) seen.push(item);
  return seen;
}

describe.each(GENERATIONS)("against $name", (generation) => {
  let uri: string;
  let lingerZeroUri: string;
  let noStreamingUri: string;
  beforeAll(async () => {
    const options = { generation: generation.protocol };
    const [normal, lingerZero, noStreaming] = await Promise.all([
      startAdvanced(python, options),
      startAdvanced(python, { ...options, env: { PYRO_ITER_STREAM_LINGER: "0" } }),
      startAdvanced(python, { ...options, env: { PYRO_ITER_STREAMING: "false" } }),
    ]);
    uri = normal.info.uri;
    lingerZeroUri = lingerZero.info.uri;
    noStreamingUri = noStreaming.info.uri;
  });

  describe.each(SERIALIZERS)("remote iterators with %s", (serializer) => {
    it("a generator's items arrive one by one and StopIteration ends the loop", async () => {
      await using proxy = new PyroProxy(uri, { serializer });
      expect(await collect(await stream(proxy, "gen", 5))).toEqual([0, 1, 2, 3, 4]);
      expect(proxy.$protocol).toBe(generation.protocol);
      expect(await collect(await stream(proxy, "gen", 0))).toEqual([]);
    });

    it("None items are values, not the end", async () => {
      await using proxy = new PyroProxy(uri, { serializer });
      expect(await collect(await stream(proxy, "gen_none"))).toEqual([1, null, 3, null]);
    });

    it("a returned iterator (not a generator) streams too", async () => {
      await using proxy = new PyroProxy(uri, { serializer });
      expect(await collect(await stream(proxy, "list_iterator", 3))).toEqual([0, 1, 2]);
    });

    it("an exception inside the generator surfaces at the item where it happened", async () => {
      await using proxy = new PyroProxy(uri, { serializer });
      const items = await stream(proxy, "raising", 2, "broke at 2");
      const seen: unknown[] = [];
      const error = await (async () => {
        for await (const item of items) seen.push(item);
      })().catch((e: unknown) => e);
      expect(seen).toEqual([0, 1]);
      expect(error).toBeInstanceOf(PyroError);
      expect((error as PyroError).remote?.type).toBe("builtins.ValueError");
      expect((error as PyroError).message).toContain("broke at 2");
      expect(items.finished).toBe(true);
      expect(await items.next()).toEqual({ done: true, value: undefined });
      // The proxy stays usable.
      expect(await proxy.$call("echo", ["after"])).toBe("after");
    });

    it("breaking out of an infinite generator closes the stream on the daemon", async () => {
      await using proxy = new PyroProxy(uri, { serializer });
      const before = (await proxy.$call("open_streams")) as number;
      const items = await stream(proxy, "infinite");
      expect(await proxy.$call("open_streams")).toBe(before + 1);
      const seen: number[] = [];
      for await (const item of items) {
        seen.push(item as number);
        if (seen.length === 4) break;
      }
      expect(seen).toEqual([0, 1, 2, 3]);
      expect(items.finished).toBe(true);
      // close_stream is oneway and runs in a daemon thread: wait until it has.
      const open = await eventually(
        () => proxy.$call("open_streams"),
        (n) => n === before,
      );
      expect(open).toBe(before);
    });
  });

  describe("remote iterator lifecycle", () => {
    it("return() before the end closes the stream; await using does the same", async () => {
      await using proxy = new PyroProxy(uri);
      const base = (await proxy.$call("open_streams")) as number;
      const first = await stream(proxy, "infinite");
      expect(await first.next()).toEqual({ done: false, value: 0 });
      expect(await first.return()).toEqual({ done: true, value: undefined });
      expect(await first.next()).toEqual({ done: true, value: undefined });
      {
        await using second = await stream(proxy, "infinite");
        expect(await second.next()).toEqual({ done: false, value: 0 });
      }
      expect(
        await eventually(
          () => proxy.$call("open_streams"),
          (n) => n === base,
        ),
      ).toBe(base);
    });

    it("several streams on one proxy are independent, and concurrent next() calls keep order", async () => {
      await using proxy = new PyroProxy(uri);
      const a = await stream(proxy, "gen", 3);
      const b = await stream(proxy, "gen", 6);
      const pulled = await Promise.all([a.next(), b.next(), b.next(), a.next(), b.next()]);
      expect(pulled.map((r) => r.value)).toEqual([0, 0, 1, 1, 2]);
      expect(await collect(a)).toEqual([2]);
      expect(await collect(b)).toEqual([3, 4, 5]);
    });

    it("after a release, next() fails until the proxy reconnects; then the stream continues (linger)", async () => {
      await using proxy = new PyroProxy(uri);
      const items = await stream(proxy, "gen", 5);
      expect((await items.next()).value).toBe(0);
      proxy.$release();
      const error = await items.next().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PyroError);
      expect((error as PyroError).code).toBe("connection-closed");
      expect(items.finished).toBe(false);
      await proxy.$reconnect(1);
      expect(await collect(items)).toEqual([1, 2, 3, 4]);
    });

    it("with ITER_STREAM_LINGER=0 the stream dies with its connection: 'item stream terminated'", async () => {
      await using proxy = new PyroProxy(lingerZeroUri);
      const items = await stream(proxy, "gen", 5);
      expect((await items.next()).value).toBe(0);
      await proxy.$reconnect(1);
      // The daemon drops the stream when it notices the old connection closed.
      expect(
        await eventually(
          () => proxy.$call("open_streams"),
          (n) => n === 0,
        ),
      ).toBe(0);
      const error = await items.next().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PyroError);
      expect((error as PyroError).message).toContain("item stream terminated");
      expect(items.finished).toBe(true);
    });

    it("a daemon with ITER_STREAMING off makes a generator call a protocol error", async () => {
      await using proxy = new PyroProxy(noStreamingUri);
      const error = await proxy.$call("gen", [3]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PyroError);
      expect((error as PyroError).code).toBe("protocol");
      expect((error as PyroError).message).toContain("not configured to allow streaming");
    });
  });
});
