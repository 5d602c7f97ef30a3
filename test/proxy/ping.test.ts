/** `$ping()`: Pyro4's MSG_PING on the proxy's own connection (connecting first if needed). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Daemon } from "../../src/runtime/daemon/daemon.js";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { failure } from "../harness/failures.js";
import { startHardening, type HardeningInfo } from "../harness/hardening.js";
import { PythonProcesses } from "../harness/python.js";

const python = new PythonProcesses();
let daemon: HardeningInfo;
let signed: HardeningInfo;
beforeAll(async () => {
  [daemon, signed] = await Promise.all([
    startHardening(python),
    startHardening(python, ["--hmac", "ping-key"]),
  ]);
});
afterAll(() => python.stopAll());

describe("$ping", () => {
  it("pings a Pyro4 daemon over the proxy's connection, connecting first", async () => {
    await using proxy = new PyroProxy(daemon.uri);
    expect(proxy.$connected).toBe(false);
    await proxy.$ping();
    expect(proxy.$connected).toBe(true);
    // Interleaved with pipelined calls on the same connection.
    const [a, , b] = await Promise.all([
      proxy.$call("slow", [0.2, "a"]),
      proxy.$ping(),
      proxy.$call("echo", ["b"]),
    ]);
    expect([a, b]).toEqual(["a", "b"]);
  });

  it("is signed with the HMAC key", async () => {
    await using proxy = new PyroProxy(signed.uri, { hmacKey: "ping-key" });
    await proxy.$ping();
    await proxy.$ping();
    expect(proxy.$connected).toBe(true);
  });

  it("times out on a daemon that stopped answering", async () => {
    await using proxy = new PyroProxy(daemon.uri, { timeoutMs: 300 });
    await proxy.$bind();
    const slow = failure(proxy.$call("slow", [2]));
    const error = await failure(proxy.$ping());
    expect(error.code).toBe("timeout");
    expect(await slow).toBe(error);
  });

  it("pings pyrogen's own daemon", async () => {
    await using tsDaemon = await Daemon.start({ host: "127.0.0.1" });
    const uri = tsDaemon.register({ hello: () => "hi" }, { expose: { methods: ["hello"] } });
    await using proxy = new PyroProxy(uri);
    await proxy.$ping();
    expect(await proxy.$call("hello")).toBe("hi");
  });
});
