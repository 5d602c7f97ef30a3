import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PyroConfig } from "../../src/runtime/config.js";
import { locateNS, resolveUri, type NameServer } from "../../src/runtime/naming/index.js";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { URI } from "../../src/runtime/uri.js";
import {
  SERIALIZERS,
  startAdvanced,
  startNameServer,
  type AdvancedInfo,
} from "../harness/advanced.js";
import { PythonProcesses, freePort } from "../harness/python.js";
import { failure } from "../harness/failures.js";
import { GENERATIONS } from "../harness/generations.js";

const python = new PythonProcesses();
afterAll(() => python.stopAll());

describe.each(GENERATIONS)("a $name name server and daemon", (generation) => {
  let nsPort: number;
  let bcPort: number;
  let adv: AdvancedInfo;
  let ns: NameServer;
  let at: string;
  beforeAll(async () => {
    const { protocol } = generation;
    const started = (await startNameServer(python, { broadcast: true, generation: protocol })).info;
    nsPort = started.port;
    bcPort = started.bcPort ?? 0;
    adv = (await startAdvanced(python, { nsPort, generation: protocol })).info;
    ns = await locateNS({ host: "127.0.0.1", port: nsPort });
    at = `@127.0.0.1:${nsPort}`;
  });
  afterAll(() => ns.release());

  describe.each(SERIALIZERS)("PYRONAME and PYROMETA proxies with %s", (serializer) => {
    it("PYRONAME resolves through the name server in the URI", async () => {
      await using proxy = new PyroProxy(`PYRONAME:adv.main${at}`, { serializer });
      expect(await proxy.$call("whoami")).toBe("adv");
      expect(proxy.$protocol).toBe(generation.protocol);
      expect(proxy.$uri.toString()).toBe(`PYRONAME:adv.main${at}`);
    });

    it("PYROMETA picks one of the objects having all the tags", async () => {
      await using proxy = new PyroProxy(`PYROMETA:adv,role:main${at}`, { serializer });
      expect(await proxy.$call("whoami")).toBe("adv");
    });
  });

  describe("name resolution", () => {
    it("PYROMETA with several matches picks among all of them at random, as Pyro4", async () => {
      const seen = new Set<unknown>();
      for (let i = 0; i < 30; i++) {
        await using proxy = new PyroProxy(`PYROMETA:role:worker${at}`);
        seen.add(await proxy.$call("whoami"));
      }
      for (const who of seen) expect(["adv.w1", "adv.w2", "adv.w3"]).toContain(who);
      // 30 uniform picks among 3 are all the same with probability 3^-29.
      expect(seen.size).toBeGreaterThan(1);
    });

    it("an unknown name fails the first call with the name server's naming error", async () => {
      await using proxy = new PyroProxy(`PYRONAME:nobody.here${at}`);
      const error = await failure(proxy.$call("whoami"));
      expect(error.code).toBe("naming");
      expect(error.message).toContain("unknown name: nobody.here");
    });

    it("PYROMETA without matches is a naming error naming the tags", async () => {
      await using proxy = new PyroProxy(`PYROMETA:no-such-tag${at}`);
      const error = await failure(proxy.$call("whoami"));
      expect(error.code).toBe("naming");
      expect(error.message).toContain(
        "no registrations available with desired metadata properties",
      );
      expect(error.message).toContain("'no-such-tag'");
    });

    it("a name server that cannot be reached is a naming error", async () => {
      await using proxy = new PyroProxy(`PYRONAME:adv.main@127.0.0.1:${await freePort()}`);
      const error = await failure(proxy.$call("whoami"));
      expect(error.code).toBe("naming");
      expect(error.message).toContain("Failed to locate the nameserver");
    });

    it("without a location, the proxy's config says where the name server is", async () => {
      const config = new PyroConfig({
        NS_HOST: "127.0.0.1",
        NS_PORT: nsPort,
        BROADCAST_ADDRS: ["127.0.0.1"],
      });
      await using proxy = new PyroProxy("PYRONAME:adv.main", { config });
      expect(await proxy.$call("whoami")).toBe("adv");
    });

    it("without a location or a name server at NS_HOST:NS_PORT, discovery by broadcast finds it", async () => {
      const config = new PyroConfig({
        NS_HOST: "127.0.0.1",
        NS_PORT: await freePort(),
        NS_BCPORT: bcPort,
        BROADCAST_ADDRS: ["127.0.0.1"],
      });
      await using proxy = new PyroProxy("PYROMETA:role:main", { config });
      expect(await proxy.$call("whoami")).toBe("adv");
    });

    it("resolves again on every reconnect, keeping its logical URI", async () => {
      await ns.register("moving", adv.workers[0]!);
      await using proxy = new PyroProxy(`PYRONAME:moving${at}`);
      expect(await proxy.$call("whoami")).toBe("adv.w1");
      await ns.register("moving", adv.workers[1]!);
      // The open connection still goes to the first object…
      expect(await proxy.$call("whoami")).toBe("adv.w1");
      // …a new one is resolved again.
      await proxy.$reconnect(1);
      expect(await proxy.$call("whoami")).toBe("adv.w2");
      expect(proxy.$uri.protocol).toBe("PYRONAME");
    });

    it("$bind pins the resolved PYRO URI: later reconnects skip the name server", async () => {
      await ns.register("pinned", adv.workers[0]!);
      await using proxy = new PyroProxy(`PYRONAME:pinned${at}`);
      await proxy.$bind();
      expect(proxy.$uri.toString()).toBe(adv.workers[0]);
      await ns.register("pinned", adv.workers[2]!);
      await proxy.$reconnect(1);
      expect(await proxy.$call("whoami")).toBe("adv.w1");
    });

    it("resolveUri gives the PYRO URI and leaves PYRO URIs alone", async () => {
      const resolved = await resolveUri(`PYRONAME:adv.worker3${at}`);
      expect(resolved).toBeInstanceOf(URI);
      expect(resolved.toString()).toBe(adv.workers[2]);
      const direct = new URI(adv.uri);
      expect(await resolveUri(direct)).toBe(direct);
    });
  });
});
