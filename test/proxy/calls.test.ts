import { describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { PythonProcesses } from "../harness/python.js";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { createProxy } from "../../src/runtime/dynamic-proxy.js";
import { PyroError } from "../../src/runtime/errors.js";
import { SERIALIZERS, useLab } from "./lab.js";
import { waitFor } from "../harness/wait.js";
import { GENERATIONS } from "../harness/generations.js";

const python = new PythonProcesses();

describe.each(GENERATIONS)("against $name", (generation) => {
  const lab = useLab(python, generation);

  describe.each(SERIALIZERS)("calls with %s", (serializer) => {
    it("passes positional and keyword arguments", async () => {
      await using proxy = new PyroProxy(lab.uri, { serializer });
      expect(await proxy.$call("echo", ["héllo €"])).toBe("héllo €");
      expect(await proxy.$call("add", [2, 40])).toBe(42);
      expect(await proxy.$call("kw", [1], { c: 3 })).toEqual({
        a: 1,
        b: 2,
        args: [],
        kwargs: { c: 3 },
      });
      expect(await proxy.$call("kw", [1, 5, 6, 7], { x: "y" })).toEqual({
        a: 1,
        b: 5,
        args: [6, 7],
        kwargs: { x: "y" },
      });
      expect(await proxy.$call("kw", [], { a: "only-kw", b: null })).toEqual({
        a: "only-kw",
        b: null,
        args: [],
        kwargs: {},
      });
    });

    it("reads and writes remote attributes; a read-only one refuses writes", async () => {
      await using proxy = new PyroProxy(lab.uri, { serializer });
      expect(await proxy.$get("readonly")).toBe("ro");
      await proxy.$set("value", 99);
      expect(await proxy.$get("value")).toBe(99);
      await proxy.$set("value", 42);
      const error = await proxy.$set("readonly", 1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PyroError);
      expect((error as PyroError).remote?.type).toBe("builtins.AttributeError");
    });

    it("checks names against the metadata locally", async () => {
      await using proxy = new PyroProxy(lab.uri, { serializer });
      await proxy.$bind();
      expect(proxy.$protocol).toBe(generation.protocol);
      expect([...proxy.$metadata!.attrs].sort()).toEqual(["readonly", "value"]);
      expect(proxy.$metadata!.oneway).toEqual(new Set(["fire"]));
      const unknown = await proxy.$call("no_such_method").catch((e: unknown) => e);
      expect(unknown).toMatchObject({ code: "attribute" });
      expect((unknown as Error).message).toContain(
        "has no exposed attribute or method 'no_such_method'",
      );
      expect((unknown as PyroError).remote).toBeUndefined();
      await expect(proxy.$get("echo")).rejects.toMatchObject({ code: "attribute" });
      await expect(proxy.$call("value")).rejects.toThrow(/is an attribute: use \$get/);
    });

    it("sends oneway methods (from metadata) without waiting; the daemon still runs them", async () => {
      await using proxy = new PyroProxy(lab.uri, { serializer });
      const key = `oneway-${serializer}`;
      // fire() sleeps 0.5 s before counting, so a zero count right after proves no wait.
      expect(await proxy.$call("fire", [key, 2, 0.5])).toBeUndefined();
      expect(await proxy.$call("counter", [key])).toBe(0);
      await waitFor(async () => (await proxy.$call("counter", [key])) === 2);
      // An explicit oneway call of a normal method gets no result either.
      expect(await proxy.$call("echo", ["x"], {}, { oneway: true })).toBeUndefined();
    });

    it("sends the correlation id and custom annotations; reply annotations are readable", async () => {
      const id = randomUUID();
      await using proxy = new PyroProxy(lab.uri, {
        serializer,
        correlationId: id,
        annotations: { XAPP: "app-wide" },
      });
      const seen = (await proxy.$call("context", [], {}, { annotations: { XREQ: "abc" } })) as {
        correlation_id: string;
        annotations: Record<string, string>;
      };
      expect(seen.correlation_id).toBe(id);
      expect(seen.annotations["XAPP"]).toBe("app-wide");
      expect(seen.annotations["XREQ"]).toBe("abc");
      expect(Buffer.from(proxy.$responseAnnotations.get("XRES")!).toString()).toBe("reply-abc");
      // Pyro4 echoes the id as a CORR annotation; Pyro5 carries it in the header instead.
      expect(proxy.$responseAnnotations.has("CORR")).toBe(generation.corrAnnotation);
      if (generation.corrAnnotation) {
        expect(Buffer.from(proxy.$responseAnnotations.get("CORR")!).toString("hex")).toBe(
          id.replace(/-/g, ""),
        );
      }
      // Per-call annotations are for that call only.
      const next = (await proxy.$call("context")) as { annotations: Record<string, string> };
      expect(next.annotations["XREQ"]).toBeUndefined();
      expect(next.annotations["XAPP"]).toBe("app-wide");
    });

    it("reads 10 KiB replies into the same memory again; kept reply annotations stay intact", async () => {
      await using proxy = new PyroProxy(lab.uri, { serializer });
      const payload = "y".repeat(10 * 1024);
      // Past the connection's small first slab, into the 64 KiB ones that are reused.
      for (let i = 0; i < 10; i++) await proxy.$call("echo", [payload]);
      await proxy.$call("context", [], {}, { annotations: { XREQ: "first" } });
      const first = proxy.$responseAnnotations;
      const slabs = countSlabAllocations();
      try {
        for (let i = 0; i < 300; i++) expect(await proxy.$call("echo", [payload])).toBe(payload);
      } finally {
        slabs.stop();
      }
      // Replies take 64 KiB read slabs in turn; before, a new one every five replies.
      expect(slabs.count).toBeLessThanOrEqual(2);
      await proxy.$call("context", [], {}, { annotations: { XREQ: "second" } });
      expect(Buffer.from(first.get("XRES")!).toString()).toBe("reply-first");
      expect(Buffer.from(proxy.$responseAnnotations.get("XRES")!).toString()).toBe("reply-second");
    });

    it("gives dynamic member access through createProxy", async () => {
      const proxy = createProxy<"add" | "echo" | "readonly">(lab.uri, { serializer });
      try {
        expect(await proxy.add(20, 22)).toBe(42);
        expect(await proxy.echo([1, "two"])).toEqual([1, "two"]);
        expect(await proxy["readonly"]).toBe("ro");
        expect(proxy.$serializer).toBe(serializer);
        expect((proxy as unknown as { then?: unknown }).then).toBeUndefined();
        expect(() => {
          (proxy as unknown as Record<string, unknown>)["value"] = 1;
        }).toThrow(/\$set/);
      } finally {
        proxy.$release();
      }
    });
  });
});

describe("calls against Pyro4's own echo server", () => {
  it.each(["serpent", "json", "marshal"] as const)("echoes with %s", async (serializer) => {
    const proc = await python.start(["-m", "Pyro4.test.echoserver", "-H", "127.0.0.1", "-p", "0"], {
      ready: { line: /^echo uri: (PYRO:\S+)/ },
    });
    const uri = proc.readyMatch?.[1];
    expect(uri).toMatch(/^PYRO:test\.echoserver@127\.0\.0\.1:\d+$/);
    await using proxy = new PyroProxy(uri!, { serializer });
    expect(await proxy.$call("echo", [{ k: [1, 2.5, "x", null, true] }])).toEqual({
      k: [1, 2.5, "x", null, true],
    });
    await expect(proxy.$call("error")).rejects.toMatchObject({ code: "remote" });
    await proc.stop();
  });
});

/** Counts the 64 KiB buffers (the reader's slabs) allocated until `stop()`. */
function countSlabAllocations(): { readonly count: number; stop(): void } {
  const original = Buffer.allocUnsafeSlow;
  let count = 0;
  Buffer.allocUnsafeSlow = (size: number) => {
    if (size === 64 * 1024) count++;
    return original(size);
  };
  return {
    get count() {
      return count;
    },
    stop() {
      Buffer.allocUnsafeSlow = original;
    },
  };
}
