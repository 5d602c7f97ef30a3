/**
 * Which Pyro generation a proxy speaks: configured (`protocol: 4 | 5`, PYRO_PROTOCOL) or
 * detected on connect, against real Pyro4 4.82 and Pyro5 5.16 daemons and name servers. A
 * counting TCP relay in front of a daemon shows what detection costs: one extra connection
 * for a wrong first guess, none once the address is remembered.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createServer, connect, type Server, type Socket } from "node:net";
import { once } from "node:events";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { Daemon } from "../../src/runtime/daemon/daemon.js";
import { PyroConfig } from "../../src/runtime/config.js";
import { locateNS } from "../../src/runtime/naming/index.js";
import { forgetProtocols, knownProtocol } from "../../src/runtime/proxy/generations.js";
import { URI } from "../../src/runtime/uri.js";
import { PythonProcesses } from "../harness/python.js";
import { PYRO4, PYRO5 } from "../harness/generations.js";
import { startNameServer } from "../harness/advanced.js";
import { failure } from "../harness/failures.js";
import { startLab, type LabInfo } from "./lab.js";

const python = new PythonProcesses();
let lab4: LabInfo;
let lab5: LabInfo;

/** A TCP relay on 127.0.0.1 to a daemon port that can be changed; counts connections. */
class Relay {
  connections = 0;
  target = 0;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  constructor() {
    this.#server = createServer((client) => {
      this.connections++;
      const upstream = connect({ host: "127.0.0.1", port: this.target });
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket);
        socket.on("close", () => this.#sockets.delete(socket));
        socket.on("error", () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
  }
  async listen(): Promise<number> {
    this.#server.listen(0, "127.0.0.1");
    await once(this.#server, "listening");
    return (this.#server.address() as { port: number }).port;
  }
  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    this.#server.close();
    await once(this.#server, "close");
  }
}

beforeAll(async () => {
  [lab4, lab5] = await Promise.all([
    startLab(python, [], {}, PYRO4),
    startLab(python, [], {}, PYRO5),
  ]);
});
afterAll(() => python.stopAll());
beforeEach(() => forgetProtocols());

describe("detection", () => {
  let relay: Relay;
  let uri: string;
  beforeEach(async () => {
    relay = new Relay();
    uri = `PYRO:lab@127.0.0.1:${await relay.listen()}`;
  });
  afterEach(() => relay.close());

  it("a Pyro5 daemon costs one extra connection once; later proxies connect straight away", async () => {
    relay.target = lab5.port!;
    await using first = new PyroProxy(uri);
    expect(await first.$call("add", [1, 2])).toBe(3);
    expect(first.$protocol).toBe(5);
    expect(relay.connections).toBe(2);
    expect(knownProtocol(new URI(uri))?.name).toBe("Pyro5");
    await using second = new PyroProxy(uri, { serializer: "json" });
    expect(await second.$call("echo", ["x"])).toBe("x");
    expect(relay.connections).toBe(3);
  });

  it("the other way round: an address remembered as Pyro5 whose daemon is now Pyro4", async () => {
    relay.target = lab5.port!;
    await using before = new PyroProxy(uri);
    await before.$bind();
    before.$release();
    expect(relay.connections).toBe(2);
    relay.target = lab4.port!;
    await using after = new PyroProxy(uri);
    expect(await after.$call("add", [2, 3])).toBe(5);
    expect(after.$protocol).toBe(4);
    expect(relay.connections).toBe(4);
    expect(knownProtocol(new URI(uri))?.name).toBe("Pyro4");
  });

  it("a Pyro4 daemon costs nothing extra", async () => {
    relay.target = lab4.port!;
    await using proxy = new PyroProxy(uri, { serializer: "msgpack" });
    expect(await proxy.$call("add", [1, 1])).toBe(2);
    expect(proxy.$protocol).toBe(4);
    expect(relay.connections).toBe(1);
  });
});

describe("a configured generation", () => {
  it("is spoken without detection; the wrong one names the right setting", async () => {
    await using five = new PyroProxy(lab5.uri, { protocol: 5 });
    expect(await five.$call("echo", [[1, "a"]])).toEqual([1, "a"]);
    const wrong = await failure(new PyroProxy(lab5.uri, { protocol: 4 }).$call("echo", [1]));
    expect(wrong.code).toBe("protocol");
    expect(wrong.message).toContain("is a Pyro5 daemon (protocol 502)");
    expect(wrong.message).toContain("set protocol: 5");
    const other = await failure(new PyroProxy(lab4.uri, { protocol: 5 }).$call("echo", [1]));
    expect(other.message).toContain("is a Pyro4 daemon (protocol 48)");
    // Nothing was learned from configured proxies.
    expect(knownProtocol(new URI(lab5.uri))).toBeUndefined();
  });

  it("comes from PROTOCOL (PYRO_PROTOCOL) in the config; a bad value is a config error", async () => {
    const config = new PyroConfig({ PROTOCOL: 4 });
    const error = await failure(new PyroProxy(lab5.uri, { config }).$call("echo", [1]));
    expect(error.message).toContain("set protocol: 5");
    expect(() => new PyroProxy(lab5.uri, { protocol: 6 as 5 })).toThrow(
      /invalid protocol=6: must be 4 \(Pyro4\), 5 \(Pyro5\) or 0/,
    );
  });

  it("an HMAC key for a Pyro5 daemon is refused with a clear error, nothing sent", async () => {
    const error = await failure(new PyroProxy(lab5.uri, { hmacKey: "k" }).$call("echo", [1]));
    expect(error.code).toBe("config");
    expect(error.message).toContain("speaks Pyro5, which has no HMAC message signing");
  });
});

describe("name servers of both generations", () => {
  it("a URI from a Pyro5 name server leads straight to a Pyro5 connection", async () => {
    const { info } = await startNameServer(python, { generation: 5 });
    await using ns = await locateNS({ host: "127.0.0.1", port: info.port });
    await ns.register("gen.five", lab5.uri);
    await ns.register("gen.four", lab4.uri);
    expect(ns.proxy.$protocol).toBe(5);
    // Looking the name up marks its daemon as Pyro5, so the proxy's first guess is right.
    await ns.lookup("gen.five");
    expect(knownProtocol(new URI(lab5.uri))?.name).toBe("Pyro5");
    await using five = new PyroProxy(`PYRONAME:gen.five@127.0.0.1:${info.port}`);
    expect(await five.$call("add", [4, 5])).toBe(9);
    expect(five.$protocol).toBe(5);
    // A Pyro4 daemon registered there is presumed Pyro5 too; detection corrects that.
    await using four = new PyroProxy(`PYRONAME:gen.four@127.0.0.1:${info.port}`);
    expect(await four.$call("add", [4, 4])).toBe(8);
    expect(four.$protocol).toBe(4);
    expect(knownProtocol(new URI(lab4.uri))?.name).toBe("Pyro4");
  });

  it("a Pyro4 name server listing a Pyro5 daemon", async () => {
    const { info } = await startNameServer(python, { generation: 4 });
    await using ns = await locateNS({ host: "127.0.0.1", port: info.port });
    await ns.register("gen.five", lab5.uri);
    expect(ns.proxy.$protocol).toBe(4);
    await using five = new PyroProxy(`PYRONAME:gen.five@127.0.0.1:${info.port}`);
    expect(await five.$call("add", [2, 2])).toBe(4);
    expect(five.$protocol).toBe(5);
  });
});

describe("pyrogen's own daemon", () => {
  it("answers a pyrogen proxy in either generation on one listener", async () => {
    const daemon = await Daemon.start({ host: "127.0.0.1" });
    try {
      class Echo {
        echo(value: unknown): unknown {
          return value;
        }
      }
      const uri = daemon.register(new Echo(), { id: "echo", expose: { methods: ["echo"] } });
      await using four = new PyroProxy(uri, { protocol: 4 });
      await using five = new PyroProxy(uri, { protocol: 5, serializer: "msgpack" });
      await using detected = new PyroProxy(uri);
      expect(await four.$call("echo", [[1, "a"]])).toEqual([1, "a"]);
      expect(await five.$call("echo", [{ k: null }])).toEqual({ k: null });
      expect(await detected.$call("echo", ["x"])).toBe("x");
      expect([four.$protocol, five.$protocol, detected.$protocol]).toEqual([4, 5, 4]);
      // A URI sent to the daemon and back keeps its value in either generation.
      expect(String(await five.$call("echo", [new URI(lab5.uri)]))).toBe(lab5.uri);
    } finally {
      await daemon.close();
    }
  });
});
