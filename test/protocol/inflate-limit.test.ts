/**
 * zlib inflation is bounded: a payload that would inflate past 64 MiB (or `maxInflatedSize`,
 * or a set `maxMessageSize`) fails with `message-too-large` naming the limit, and payloads
 * within it still arrive in order. The bombs themselves, with memory and event-loop bounds,
 * are in test/soak/faults.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Daemon } from "../../src/runtime/daemon/daemon.js";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { failure } from "../harness/failures.js";
import { pythonReport, startHardening, type HardeningInfo } from "../harness/hardening.js";
import { PythonProcesses } from "../harness/python.js";

const python = new PythonProcesses();
let bombUri: string;
let compressing: HardeningInfo;
beforeAll(async () => {
  const [{ info }, daemon] = await Promise.all([
    python.startFixture<{ uri: string }>("bomb_server.py", ["8"]),
    startHardening(python, [], { PYRO_COMPRESSION: "true" }),
  ]);
  bombUri = info.uri;
  compressing = daemon;
});
afterAll(() => python.stopAll());

describe("inflation limits of a proxy", () => {
  it("maxInflatedSize sets the limit", async () => {
    await using proxy = new PyroProxy(bombUri, { maxInflatedSize: 1024 * 1024 });
    const error = await failure(proxy.$call("bomb"));
    expect(error.code).toBe("message-too-large");
    expect(error.message).toContain("inflates beyond 1048576 bytes");
  });

  it("a set maxMessageSize is the limit when maxInflatedSize is not given", async () => {
    await using proxy = new PyroProxy(bombUri, { maxMessageSize: 2 * 1024 * 1024 });
    const error = await failure(proxy.$call("bomb"));
    expect(error.code).toBe("message-too-large");
    expect(error.message).toContain("inflates beyond 2097152 bytes");
  });

  it("compressed replies within the limit still arrive, small and large", async () => {
    await using proxy = new PyroProxy(compressing.uri);
    expect(await proxy.$call("big", [1000])).toBe("x".repeat(1000));
    expect(await proxy.$call("big", [5_000_000])).toBe("x".repeat(5_000_000));
    // Pipelined behind a large one that inflates off the event loop, in order.
    const results = await Promise.all([
      proxy.$call("big", [3_000_000]),
      proxy.$call("big", [300]),
      proxy.$call("echo", ["last"]),
    ]);
    expect(results.map((value) => (value as string).length)).toEqual([3_000_000, 300, 4]);
  });
});

describe("inflation limits of pyrogen's daemon", () => {
  const compressedEcho =
    "import sys, json, Pyro4, Pyro4.errors\n" +
    "p = Pyro4.Proxy(sys.argv[1])\n" +
    "try:\n" +
    "    result = len(p.echo('z' * 2000000))\n" +
    "except Pyro4.errors.ConnectionClosedError as e:\n" +
    "    result = type(e).__name__\n" +
    "print('READY ' + json.dumps(result), flush=True)\n";

  it("closes the connection of a request that inflates past maxInflatedSize", async () => {
    await using daemon = await Daemon.start({ host: "127.0.0.1", maxInflatedSize: 1024 * 1024 });
    const uri = daemon.register({ echo: (x: unknown) => x }, { expose: { methods: ["echo"] } });
    const env = { PYRO_COMPRESSION: "true" };
    expect(await pythonReport(python, compressedEcho, [uri.toString()], env)).toBe(
      "ConnectionClosedError",
    );
  });

  it("serves compressed requests within the default limit", async () => {
    await using daemon = await Daemon.start({ host: "127.0.0.1" });
    const uri = daemon.register({ echo: (x: unknown) => x }, { expose: { methods: ["echo"] } });
    const env = { PYRO_COMPRESSION: "true" };
    expect(await pythonReport(python, compressedEcho, [uri.toString()], env)).toBe(2_000_000);
  });
});
