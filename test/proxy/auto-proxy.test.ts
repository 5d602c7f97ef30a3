import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PythonProcesses } from "../harness/python.js";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { createProxy } from "../../src/runtime/dynamic-proxy.js";
import { SERIALIZERS, startLab, type LabInfo } from "./lab.js";
import { GENERATIONS } from "../harness/generations.js";

const python = new PythonProcesses();
afterAll(() => python.stopAll());

describe.each(GENERATIONS)("$name daemons", (generation) => {
  let lab: LabInfo;
  beforeAll(async () => {
    lab = await startLab(python, [], {}, generation);
  });

  describe.each(["serpent", "json", "msgpack"] as const)("auto-proxies with %s", (serializer) => {
    it("a registered object returned by the server arrives as a live proxy", async () => {
      await using proxy = new PyroProxy(lab.uri, { serializer, timeoutMs: 4000 });
      const child = await proxy.$call("make_child", ["kid"]);
      expect(child).toBeInstanceOf(PyroProxy);
      const live = child as PyroProxy;
      try {
        expect(live.$uri.object).toMatch(/^obj_[0-9a-f]{32}$/);
        // Metadata came with the proxy state; settings are inherited from the parent proxy.
        expect(live.$metadata?.methods).toEqual(new Set(["hello"]));
        expect(live.$serializer).toBe(serializer);
        expect(live.$timeout).toBe(4000);
        expect(await live.$call("hello")).toBe("child kid");
        expect(live.$protocol).toBe(generation.protocol);
      } finally {
        live.$release();
      }
    });
  });

  describe("marshal and auto-proxies", () => {
    it("gets the object's attributes instead (Pyro has no auto-proxy for marshal)", async () => {
      await using proxy = new PyroProxy(lab.uri, { serializer: "marshal" });
      const child = await proxy.$call("make_child", ["plain"]);
      expect(child).not.toBeInstanceOf(PyroProxy);
      expect(child).toMatchObject({ name: "plain" });
    });
  });

  describe.each(SERIALIZERS)("proxies as values with %s", (serializer) => {
    it("a Pyro Proxy returned by the server is a live proxy", async () => {
      await using proxy = new PyroProxy(lab.uri, { serializer });
      const same = (await proxy.$call("self_proxy")) as PyroProxy;
      expect(same).toBeInstanceOf(PyroProxy);
      expect(same.$uri.toString()).toBe(lab.uri);
      expect(await same.$call("echo", ["round trip"])).toBe("round trip");
      same.$release();
    });

    it("a proxy passed as an argument is usable by the server", async () => {
      await using proxy = new PyroProxy(lab.uri, { serializer });
      await using target = new PyroProxy(lab.uri, { serializer });
      expect(await proxy.$call("call_proxy", [target, "via argument"])).toBe("via argument");
      const dynamic = createProxy(lab.uri, { serializer });
      expect(await proxy.$call("call_proxy", [dynamic, "via wrapper"])).toBe("via wrapper");
      expect(await proxy.$call("call_proxy", [proxy.$copy(), "via copy"])).toBe("via copy");
    });
  });
});
