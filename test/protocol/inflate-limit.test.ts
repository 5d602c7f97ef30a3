/**
 * zlib inflation is bounded by default, on both sides: a payload that would inflate past
 * 64 MiB (or `maxInflatedSize`, or a set `maxMessageSize`) fails with `message-too-large`
 * naming the limit, without the memory for it, and large payloads inflate in zlib's threads
 * so every other proxy and connection keeps being served.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Daemon } from "../../src/runtime/daemon/daemon.js";
import { Proxy } from "../../src/runtime/proxy.js";
import { sampleRss, watchStalls } from "../harness/bounds.js";
import { failure } from "../harness/failures.js";
import { startHardening, type HardeningInfo } from "../harness/hardening.js";
import { PythonProcesses } from "../harness/python.js";

const python = new PythonProcesses();
let bombUri: string;
let compressing: HardeningInfo;
beforeAll(async () => {
  const [{ info }, daemon] = await Promise.all([
    python.startFixture<{ uri: string }>("bomb_server.py", ["512"], { timeoutMs: 60_000 }),
    startHardening(python, [], { PYRO_COMPRESSION: "true" }),
  ]);
  bombUri = info.uri;
  compressing = daemon;
}, 60_000);
afterAll(() => python.stopAll());

describe("a proxy receiving a zlib bomb (512 MiB of zeros in ~0.5 MB)", () => {
  it("fails with message-too-large at 64 MiB, within bounded memory, the event loop free", async () => {
    await using other = new Proxy(compressing.uri);
    await other.$bind();
    await using proxy = new Proxy(bombUri);
    const rss = sampleRss();
    const stalls = watchStalls();
    const [error, echoed] = await Promise.all([
      failure(proxy.$call("bomb")),
      other.$call("echo", ["served meanwhile"]),
    ]);
    const longestStall = stalls.stop();
    const grown = rss.stop();
    expect(error.code).toBe("message-too-large");
    expect(error.message).toContain(`inflates beyond ${64 * 1024 * 1024} bytes`);
    expect(error.message).toContain("raise maxInflatedSize");
    expect(echoed).toBe("served meanwhile");
    expect(grown).toBeLessThan(250);
    expect(longestStall).toBeLessThan(1500);
    expect(proxy.$connected).toBe(false);
  });

  it("maxInflatedSize sets the limit", async () => {
    await using proxy = new Proxy(bombUri, { maxInflatedSize: 1024 * 1024 });
    const error = await failure(proxy.$call("bomb"));
    expect(error.code).toBe("message-too-large");
    expect(error.message).toContain("inflates beyond 1048576 bytes");
  });

  it("compressed replies within the limit still arrive, small and large", async () => {
    await using proxy = new Proxy(compressing.uri);
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

describe("pyrogen's daemon receiving a zlib bomb", () => {
  it("closes that connection within bounded memory and keeps serving others", async () => {
    await using daemon = await Daemon.start({ host: "127.0.0.1" });
    const uri = daemon.register({ echo: (x: unknown) => x }, { expose: { methods: ["echo"] } });
    const rss = sampleRss();
    const stalls = watchStalls();
    const [report, echoed] = await Promise.all([
      (async () => {
        const proc = await python.start(
          [
            "fixtures/hostile_client.py",
            "bomb",
            "127.0.0.1",
            String(daemon.port),
            uri.object,
            "256",
          ],
          { ready: { line: /^READY (.*)$/ }, timeoutMs: 30_000 },
        );
        await proc.stop();
        return JSON.parse(proc.readyMatch![1]!) as { eof: boolean };
      })(),
      (async () => {
        await using proxy = new Proxy(uri);
        return await proxy.$call("echo", ["served meanwhile"]);
      })(),
    ]);
    const longestStall = stalls.stop();
    const grown = rss.stop();
    expect(report.eof).toBe(true);
    expect(echoed).toBe("served meanwhile");
    expect(grown).toBeLessThan(200);
    expect(longestStall).toBeLessThan(1500);
    await using after = new Proxy(uri);
    expect(await after.$call("echo", ["still serving"])).toBe("still serving");
  });
});
