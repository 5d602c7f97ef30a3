/**
 * The fault suite: each hostile or failing peer, and the bound or error pyrogen keeps to —
 * a client that never reads, an idle-socket flood, zlib bombs both ways, a daemon killed
 * and one frozen mid-call. Real Pyro4 clients and daemons around pyrogen throughout.
 */
import { readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Daemon } from "../../src/runtime/daemon/daemon.js";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { sampleRss, watchStalls } from "../harness/bounds.js";
import { failure } from "../harness/failures.js";
import { pythonReport, startHardening, type HardeningInfo } from "../harness/hardening.js";
import { PythonProcesses } from "../harness/python.js";
import { waitFor } from "../harness/wait.js";

const python = new PythonProcesses();
afterAll(() => python.stopAll());

const MB = 1024 * 1024;
const HOSTILE = "fixtures/hostile_client.py";

/** A daemon object whose `big(n)` replies are n bytes. */
function serveBig(daemon: Daemon): string {
  return daemon
    .register(
      { big: (n: number) => "x".repeat(n), echo: (x: unknown) => x },
      { id: "big", expose: { methods: ["big", "echo"] } },
    )
    .toString();
}

/** Open file descriptors of this process. */
function openDescriptors(): number {
  return readdirSync("/proc/self/fd").length;
}

describe("a client that sends requests and never reads the replies", () => {
  it("is held back by TCP: pyrogen's daemon keeps a bounded amount and serves others", async () => {
    await using daemon = await Daemon.start({ host: "127.0.0.1" });
    const uri = serveBig(daemon);
    const rss = sampleRss();
    // 200 calls whose replies are 1 MB each: 200 MB if the daemon held them all.
    const hostile = await python.start(
      [HOSTILE, "never-read", "127.0.0.1", String(daemon.port), "big", "200", String(MB)],
      { ready: { line: /^READY (.*)$/ } },
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await using proxy = new PyroProxy(uri);
    expect(await proxy.$call("echo", ["served meanwhile"])).toBe("served meanwhile");
    const grown = rss.stop();
    await hostile.stop();
    expect(grown).toBeLessThan(64);
  });
});

describe("an idle-socket flood", () => {
  it("is capped and timed out: bounded descriptors, a clear refusal, then service again", async () => {
    // The 40 flood sockets served are dropped after 6 s of silence; the others are refused.
    await using daemon = await Daemon.start({
      host: "127.0.0.1",
      maxConnections: 40,
      timeoutMs: 6000,
    });
    const uri = serveBig(daemon);
    const before = openDescriptors();
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, openDescriptors());
    }, 20);
    const flood = await python.start(
      [HOSTILE, "flood", "127.0.0.1", String(daemon.port), "300", "15"],
      { ready: { line: /^READY (.*)$/ } },
    );
    try {
      expect(JSON.parse(flood.readyMatch![1]!)).toEqual({ opened: 300 });
      // Refusing is bounded too: 40 at a time, the rest of a burst cut off without a reply,
      // and silent refused sockets within 250 ms. A client arriving after the burst is
      // refused properly while the 40 served flood sockets still hold every place.
      await new Promise((resolve) => setTimeout(resolve, 600));
      const refused = await pythonReport<string>(
        python,
        "import sys, json, Pyro4\n" +
          "try:\n" +
          "    Pyro4.Proxy(sys.argv[1])._pyroBind()\n" +
          "    result = 'connected'\n" +
          "except Exception as e:\n" +
          "    result = '%s: %s' % (type(e).__name__, e)\n" +
          "print('READY ' + json.dumps(result), flush=True)\n",
        [uri],
      );
      expect(refused).toMatch(/^CommunicationError: .*rejected: no free workers/);
      await waitFor(async () => flood.output().includes("DONE "), 25);
      expect(JSON.parse(/DONE (.*)/.exec(flood.output())![1]!)).toEqual({ closed: 300 });
    } finally {
      clearInterval(sampler);
      await flood.stop();
    }
    // 40 served plus at most 40 being refused at any time (and the pipes of the Python
    // processes started meanwhile), never the 300 the flood opened.
    expect(peak - before).toBeLessThanOrEqual(120);
    const served = await pythonReport<string>(
      python,
      "import sys, json, Pyro4\n" +
        "print('READY ' + json.dumps(Pyro4.Proxy(sys.argv[1]).echo('served again')), flush=True)\n",
      [uri],
    );
    expect(served).toBe("served again");
  });
});

describe("zlib bombs", () => {
  let bombUri: string;
  let plain: HardeningInfo;
  beforeAll(async () => {
    const [{ info }, daemon] = await Promise.all([
      python.startFixture<{ uri: string }>("bomb_server.py", ["512"], { timeoutMs: 60_000 }),
      startHardening(python),
    ]);
    bombUri = info.uri;
    plain = daemon;
  }, 60_000);

  it("a proxy receiving one (512 MiB of zeros in ~0.5 MB) fails at 64 MiB, memory and event loop bounded", async () => {
    await using other = new PyroProxy(plain.uri);
    await other.$bind();
    await using proxy = new PyroProxy(bombUri);
    const rss = sampleRss();
    const stalls = watchStalls();
    const [error, echoed] = await Promise.all([
      failure(proxy.$call("bomb")),
      other.$call("echo", ["served meanwhile"]),
    ]);
    const longestStall = stalls.stop();
    const grown = rss.stop();
    expect(error.code).toBe("message-too-large");
    expect(error.message).toContain(`inflates beyond ${64 * MB} bytes`);
    expect(error.message).toContain("raise maxInflatedSize");
    expect(echoed).toBe("served meanwhile");
    expect(grown).toBeLessThan(250);
    expect(longestStall).toBeLessThan(1500);
    expect(proxy.$connected).toBe(false);
  });

  it("pyrogen's daemon receiving one closes that connection, memory bounded, and serves others", async () => {
    await using daemon = await Daemon.start({ host: "127.0.0.1" });
    const uri = serveBig(daemon);
    const rss = sampleRss();
    const stalls = watchStalls();
    const [report, echoed] = await Promise.all([
      (async () => {
        const proc = await python.start(
          [HOSTILE, "bomb", "127.0.0.1", String(daemon.port), "big", "256"],
          { ready: { line: /^READY (.*)$/ }, timeoutMs: 30_000 },
        );
        await proc.stop();
        return JSON.parse(proc.readyMatch![1]!) as { eof: boolean };
      })(),
      (async () => {
        await using proxy = new PyroProxy(uri);
        return await proxy.$call("echo", ["served meanwhile"]);
      })(),
    ]);
    const longestStall = stalls.stop();
    const grown = rss.stop();
    expect(report.eof).toBe(true);
    expect(echoed).toBe("served meanwhile");
    expect(grown).toBeLessThan(200);
    expect(longestStall).toBeLessThan(1500);
  });
});

describe("a daemon that dies or freezes mid-call", () => {
  it("killed (SIGKILL): every call in flight fails with the same connection-closed error", async () => {
    const victim = await startHardening(python);
    await using proxy = new PyroProxy(victim.uri);
    await proxy.$bind();
    const calls = [
      proxy.$call("slow", [5]),
      ...Array.from({ length: 20 }, (_, i) => proxy.$call("echo", [i])),
    ].map(failure);
    await new Promise((resolve) => setTimeout(resolve, 200));
    victim.signal("SIGKILL");
    const errors = await Promise.all(calls);
    expect(errors[0]!.code).toBe("connection-closed");
    expect(new Set(errors).size).toBe(1);
    const after = await failure(proxy.$call("echo", ["after"]));
    expect(after.code).toBe("communication");
    expect(after.message).toMatch(/^cannot connect to/);
    await victim.stop();
  });

  it("frozen (SIGSTOP): calls in flight and a new connect time out; after SIGCONT calls work again", async () => {
    const victim = await startHardening(python);
    try {
      await using proxy = new PyroProxy(victim.uri, { timeoutMs: 800 });
      await proxy.$bind();
      const calls = [proxy.$call("slow", [1]), proxy.$call("echo", ["behind"])].map(failure);
      victim.signal("SIGSTOP");
      const errors = await Promise.all(calls);
      expect(errors[0]!.code).toBe("timeout");
      expect(errors[1]).toBe(errors[0]);
      await using fresh = new PyroProxy(victim.uri, { timeoutMs: 800 });
      const connect = await failure(fresh.$call("echo", [1]));
      expect(connect.code).toBe("timeout");
      expect(connect.message).toMatch(/^while connecting to/);
      victim.signal("SIGCONT");
      expect(await proxy.$call("echo", ["thawed"])).toBe("thawed");
    } finally {
      victim.signal("SIGCONT");
      await victim.stop();
    }
  });
});
