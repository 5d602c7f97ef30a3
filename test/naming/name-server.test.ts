import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NameServer, locateNS, type Registration } from "../../src/runtime/naming/index.js";
import { URI } from "../../src/runtime/uri.js";
import { SERIALIZERS, startNameServer } from "../harness/advanced.js";
import { PythonProcesses } from "../harness/python.js";
import { failure } from "../harness/failures.js";
import { GENERATIONS } from "../harness/generations.js";

const python = new PythonProcesses();
afterAll(() => python.stopAll());

describe.each(GENERATIONS)("a $name name server", (generation) => {
  let nsPort: number;
  let nsUri: string;
  beforeAll(async () => {
    const { info } = await startNameServer(python, { generation: generation.protocol });
    nsPort = info.port;
    nsUri = info.uri;
  });

  describe.each(SERIALIZERS)("the name server API with %s", (serializer) => {
    let ns: NameServer;
    /** `lookup(name, { returnMetadata })`, through serpent where marshal cannot carry it. */
    const lookupWithMetadata = async (name: string): Promise<Registration> => {
      if (serializer !== "marshal") return ns.lookup(name, { returnMetadata: true });
      const viaSerpent = new NameServer(ns.proxy.$copy());
      viaSerpent.proxy.$serializer = "serpent";
      try {
        return await viaSerpent.lookup(name, { returnMetadata: true });
      } finally {
        viaSerpent.release();
      }
    };
    // Each serializer works in its own part of the name space.
    const p = `${serializer}.`;
    beforeAll(async () => {
      ns = await locateNS({ host: "127.0.0.1", port: nsPort, proxyOptions: { serializer } });
    });
    afterAll(() => ns.release());

    it("ping and count", async () => {
      await ns.ping();
      expect(ns.proxy.$protocol).toBe(generation.protocol);
      expect(await ns.count()).toBeGreaterThanOrEqual(1);
      expect(ns.uri.toString()).toBe(nsUri);
    });

    it("register (string or URI) and lookup, with and without metadata", async () => {
      const before = await ns.count();
      await ns.register(`${p}a`, "PYRO:objA@127.0.0.1:5001");
      await ns.register(`${p}b`, new URI("PYRO:objB@127.0.0.1:5002"), { metadata: ["t1", "t2"] });
      expect(await ns.count()).toBe(before + 2);
      const a = await ns.lookup(`${p}a`);
      expect(a).toBeInstanceOf(URI);
      expect(a.toString()).toBe("PYRO:objA@127.0.0.1:5001");
      const b = await lookupWithMetadata(`${p}b`);
      expect(b.uri.toString()).toBe("PYRO:objB@127.0.0.1:5002");
      expect(b.metadata).toEqual(new Set(["t1", "t2"]));
      expect((await lookupWithMetadata(`${p}a`)).metadata).toEqual(new Set());
    });

    it("a lookup of an unknown name is a naming error", async () => {
      const error = await failure(ns.lookup(`${p}nobody`));
      expect(error.code).toBe("naming");
      expect(error.message).toContain(`unknown name: ${p}nobody`);
    });

    it("register overwrites unless safe", async () => {
      await ns.register(`${p}safe`, "PYRO:first@127.0.0.1:5003");
      await ns.register(`${p}safe`, "PYRO:second@127.0.0.1:5003");
      expect((await ns.lookup(`${p}safe`)).object).toBe("second");
      const error = await failure(
        ns.register(`${p}safe`, "PYRO:third@127.0.0.1:5003", { safe: true }),
      );
      expect(error.code).toBe("naming");
      expect(error.message).toContain("name already registered");
      expect((await ns.lookup(`${p}safe`)).object).toBe("second");
    });

    it("register refuses an invalid uri (the name server validates it)", async () => {
      const error = await failure(ns.register(`${p}bad`, "not a uri"));
      expect(error.message).toContain("invalid uri");
    });

    it("metadata given as a lone string is refused before sending", async () => {
      const error = await failure(
        ns.register(`${p}str`, "PYRO:x@127.0.0.1:1", { metadata: "tag" }),
      );
      expect(error.message).toContain("not the string 'tag'");
    });

    it("list: all, by prefix, by regex, by metadata (all/any), with metadata", async () => {
      await ns.register(`${p}list.x1`, "PYRO:x1@127.0.0.1:5010", { metadata: ["red", "big"] });
      await ns.register(`${p}list.x2`, "PYRO:x2@127.0.0.1:5010", { metadata: ["red"] });
      await ns.register(`${p}list.y`, "PYRO:y@127.0.0.1:5010", { metadata: ["blue"] });
      const all = await ns.list();
      expect(all.get("Pyro.NameServer")).toBe(nsUri);
      expect(all.get(`${p}list.y`)).toBe("PYRO:y@127.0.0.1:5010");
      expect([...(await ns.list({ prefix: `${p}list.` })).keys()].sort()).toEqual([
        `${p}list.x1`,
        `${p}list.x2`,
        `${p}list.y`,
      ]);
      const byRegex = await ns.list({ regex: `${p.replace(".", "\\.")}list\\.x\\d` });
      expect([...byRegex.keys()].sort()).toEqual([`${p}list.x1`, `${p}list.x2`]);
      const red = await ns.list({ metadataAll: ["red"] });
      expect([...red.keys()].filter((k) => k.startsWith(p)).sort()).toEqual([
        `${p}list.x1`,
        `${p}list.x2`,
      ]);
      const redAndBig = await ns.list({ metadataAll: new Set(["red", "big"]) });
      expect([...redAndBig.keys()].filter((k) => k.startsWith(p))).toEqual([`${p}list.x1`]);
      const bigOrBlue = await ns.list({ metadataAny: ["big", "blue"] });
      expect([...bigOrBlue.keys()].filter((k) => k.startsWith(p)).sort()).toEqual([
        `${p}list.x1`,
        `${p}list.y`,
      ]);
      const withMeta = await ns.list({ prefix: `${p}list.x1`, returnMetadata: true });
      expect(withMeta.get(`${p}list.x1`)).toEqual({
        uri: "PYRO:x1@127.0.0.1:5010",
        metadata: new Set(["red", "big"]),
      });
    });

    it("list refuses two filters at once and a bad regex", async () => {
      const two = await failure(ns.list({ prefix: "a", regex: "b" }));
      expect(two.message).toContain("only filter on one thing at a time");
      const bad = await failure(ns.list({ regex: "([unclosed" }));
      expect(bad.code).toBe("naming");
      expect(bad.message).toContain("invalid regex");
    });

    it("setMetadata replaces and clears tags; an unknown name is a naming error", async () => {
      await ns.register(`${p}meta`, "PYRO:m@127.0.0.1:5020", { metadata: ["old"] });
      await ns.setMetadata(`${p}meta`, ["new1", "new2"]);
      expect((await lookupWithMetadata(`${p}meta`)).metadata).toEqual(new Set(["new1", "new2"]));
      await ns.setMetadata(`${p}meta`, null);
      expect((await lookupWithMetadata(`${p}meta`)).metadata).toEqual(new Set());
      const error = await failure(ns.setMetadata(`${p}ghost`, ["x"]));
      expect(error.code).toBe("naming");
      expect(error.message).toContain("unknown name");
    });

    it("remove by name, prefix and regex returns the count; the name server stays", async () => {
      for (const name of ["r.one", "r.two", "r.three", "q.one", "q.two"]) {
        await ns.register(`${p}${name}`, "PYRO:r@127.0.0.1:5030");
      }
      expect(await ns.remove(`${p}r.one`)).toBe(1);
      expect(await ns.remove({ name: `${p}r.one` })).toBe(0);
      expect(await ns.remove({ prefix: `${p}r.` })).toBe(2);
      expect(await ns.remove({ regex: `${p.replace(".", "\\.")}q\\.` })).toBe(2);
      expect(await ns.remove({ name: "Pyro.NameServer" })).toBe(0);
      expect(await ns.remove({})).toBe(0);
      expect((await ns.list()).has("Pyro.NameServer")).toBe(true);
    });
  });

  describe("the name server with marshal", () => {
    it("a lookup with metadata names the name server's marshal limit and the fix", async () => {
      await using ns = await locateNS({
        host: "127.0.0.1",
        port: nsPort,
        proxyOptions: { serializer: "marshal" },
      });
      await ns.register("marshal-limit", "PYRO:m@127.0.0.1:5004");
      expect((await ns.lookup("marshal-limit")).object).toBe("m");
      const error = await failure(ns.lookup("marshal-limit", { returnMetadata: true }));
      expect(error.code).toBe("serialize");
      expect(error.message).toContain("use serpent, json or msgpack");
    });
  });
});
