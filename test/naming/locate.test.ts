import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSocket } from "node:dgram";
import { once } from "node:events";
import { PyroConfig } from "../../src/runtime/config.js";
import { PyroError } from "../../src/runtime/errors.js";
import { locateNS } from "../../src/runtime/naming/index.js";
import { startNameServer, type NameServerInfo } from "../harness/advanced.js";
import { PythonProcesses, freePort } from "../harness/python.js";
import { failure } from "../harness/failures.js";
import { GENERATIONS } from "../harness/generations.js";

const python = new PythonProcesses();
afterAll(() => python.stopAll());

describe.each(GENERATIONS)("a $name name server", (generation) => {
  let ns: NameServerInfo;
  let bcPort: number;
  /** A TCP port where nothing listens. */
  let closedPort: number;
  /** A UDP port where nothing answers. */
  let silentUdpPort: number;
  beforeAll(async () => {
    ns = (await startNameServer(python, { broadcast: true, generation: generation.protocol })).info;
    bcPort = ns.bcPort ?? 0;
    closedPort = await freePort();
    const udp = createSocket("udp4");
    udp.bind(0, "127.0.0.1");
    await once(udp, "listening");
    silentUdpPort = udp.address().port;
    udp.close();
  });

  /** Every test points discovery at 127.0.0.1 only. */
  function loopbackConfig(items: ConstructorParameters<typeof PyroConfig>[0] = {}): PyroConfig {
    return new PyroConfig({ NS_HOST: "127.0.0.1", BROADCAST_ADDRS: ["127.0.0.1"], ...items });
  }

  describe("locateNS", () => {
    it("connects directly to a given host and port (bound, ready to use)", async () => {
      await using found = await locateNS({ host: "127.0.0.1", port: ns.port });
      expect(found.proxy.$connected).toBe(true);
      expect(found.uri.toString()).toBe(ns.uri);
      await found.ping();
      expect(found.proxy.$protocol).toBe(generation.protocol);
    });

    it("without a host, tries the loopback NS_HOST:NS_PORT first", async () => {
      await using found = await locateNS({ config: loopbackConfig({ NS_PORT: ns.port }) });
      expect(found.proxy.$connected).toBe(true);
      expect(found.uri.toString()).toBe(ns.uri);
    });

    it("falls back to broadcast discovery on BROADCAST_ADDRS (127.0.0.1) and NS_BCPORT", async () => {
      const config = loopbackConfig({ NS_PORT: closedPort, NS_BCPORT: bcPort });
      await using found = await locateNS({ config });
      // Found by broadcast: not connected until the first call, as in Pyro4.
      expect(found.proxy.$connected).toBe(false);
      expect(found.uri.toString()).toBe(ns.uri);
      expect(await found.count()).toBeGreaterThanOrEqual(1);
    });

    it("without a host, the port argument is also the broadcast port (Pyro4's rule)", async () => {
      const config = loopbackConfig({ NS_PORT: closedPort, NS_BCPORT: silentUdpPort });
      await using found = await locateNS({ config, port: bcPort });
      expect(found.uri.toString()).toBe(ns.uri);
    });

    it("a given host that does not answer is a naming error naming the attempt", async () => {
      const error = await failure(locateNS({ host: "127.0.0.1", port: closedPort }));
      expect(error.code).toBe("naming");
      expect(error.message).toContain("Failed to locate the nameserver");
      expect(error.message).toContain(`PYRO:Pyro.NameServer@127.0.0.1:${closedPort}`);
      expect(error.cause).toBeInstanceOf(PyroError);
    });

    it("when nothing answers, the error lists the direct tries and the broadcast", async () => {
      const config = loopbackConfig({ NS_PORT: closedPort, NS_BCPORT: silentUdpPort });
      const error = await failure(locateNS({ config }));
      expect(error.code).toBe("naming");
      expect(error.message).toContain(`PYRO:Pyro.NameServer@127.0.0.1:${closedPort}`);
      expect(error.message).toContain(
        `broadcast GET_NSURI to [127.0.0.1] UDP port ${silentUdpPort}`,
      );
      expect(error.message).toContain("NS_HOST/NS_PORT");
    });

    it("broadcast: false, or PREFER_IP_VERSION 6, skips discovery", async () => {
      const config = loopbackConfig({ NS_PORT: closedPort, NS_BCPORT: bcPort });
      const skipped = await failure(locateNS({ config, broadcast: false }));
      expect(skipped.message).not.toContain("broadcast GET_NSURI");
      config.set({ PREFER_IP_VERSION: 6 });
      const ipv6 = await failure(locateNS({ config }));
      expect(ipv6.message).not.toContain("broadcast GET_NSURI");
    });

    it("uses the given serializer for the name server", async () => {
      await using found = await locateNS({
        host: "127.0.0.1",
        port: ns.port,
        proxyOptions: { serializer: "json" },
      });
      expect(found.proxy.$serializer).toBe("json");
      expect((await found.list()).has("Pyro.NameServer")).toBe(true);
    });
  });
});

describe("locateNS and Pyro4's HMAC", () => {
  it("uses the HMAC key for the name server: found with it, refused without", async () => {
    const secured = (await startNameServer(python, { hmac: "ns-secret" })).info;
    await using found = await locateNS({
      host: "127.0.0.1",
      port: secured.port,
      hmacKey: "ns-secret",
    });
    await found.register("signed", "PYRO:signed@127.0.0.1:5050");
    expect((await found.lookup("signed")).object).toBe("signed");
    const error = await failure(locateNS({ host: "127.0.0.1", port: secured.port, hmacKey: null }));
    expect(error.code).toBe("naming");
    expect(error.message).toContain("hmac");
  });
});
