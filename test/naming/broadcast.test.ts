import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSocket } from "node:dgram";
import { once } from "node:events";
import { PythonProcesses } from "../harness/python.js";
import { broadcastDestination, discoverNameServer } from "../../src/runtime/naming/broadcast.js";

const python = new PythonProcesses();
afterAll(() => python.stopAll());

interface NsInfo {
  uri: string;
  port: number;
  bcPort: number;
}

let ns: NsInfo;
beforeAll(async () => {
  ns = (await python.startFixture<NsInfo>("name_server.py", ["--host", "127.0.0.1"])).info;
});

/** A UDP port on 127.0.0.1 where nothing listens (bound once, then released). */
async function silentUdpPort(): Promise<number> {
  const socket = createSocket("udp4");
  socket.bind(0, "127.0.0.1");
  await once(socket, "listening");
  const { port } = socket.address();
  socket.close();
  return port;
}

describe("broadcast discovery (to 127.0.0.1 only)", () => {
  it("gets the name server's URI from Pyro4's own responder", async () => {
    const outcome = await discoverNameServer({ addresses: ["127.0.0.1"], port: ns.bcPort });
    expect(outcome).toEqual({ uri: ns.uri, failures: [] });
  });

  it("uses the first reply when several addresses are asked", async () => {
    const outcome = await discoverNameServer({
      addresses: ["127.0.0.1", "127.0.0.1"],
      port: ns.bcPort,
    });
    expect(outcome.uri).toBe(ns.uri);
  });

  it("gives up after its rounds when nobody answers, without throwing", async () => {
    const port = await silentUdpPort();
    const started = Date.now();
    const outcome = await discoverNameServer({
      addresses: ["127.0.0.1"],
      port,
      tries: 2,
      waitMs: 150,
    });
    expect(outcome.uri).toBeNull();
    // Two rounds of 150 ms each must have been waited out.
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("reports an unusable destination instead of throwing", async () => {
    const outcome = await discoverNameServer({
      addresses: ["127.0.0.1"],
      port: 0,
      tries: 1,
      waitMs: 50,
    });
    expect(outcome.uri).toBeNull();
    expect(outcome.failures).toHaveLength(1);
    expect(outcome.failures[0]).toMatch(/^127\.0\.0\.1:0: .*[Pp]ort/);
  });

  it("maps Pyro4's address words to IPv4 destinations", () => {
    expect(broadcastDestination("<broadcast>")).toBe("255.255.255.255");
    expect(broadcastDestination("")).toBe("0.0.0.0");
    expect(broadcastDestination("127.0.0.1")).toBe("127.0.0.1");
  });
});
