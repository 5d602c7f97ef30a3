import { describe, expect, it } from "vitest";
import { PythonProcesses, freePort } from "../harness/python.js";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { PyroConfig, config } from "../../src/runtime/config.js";
import { startLab, useLab } from "./lab.js";
import { failure } from "../harness/failures.js";
import { GENERATIONS } from "../harness/generations.js";
import { waitFor } from "../harness/wait.js";

/** The daemon finishes abandoned attempts later: poll for up to 10 s. */
const SETTLE_S = 10;

const python = new PythonProcesses();

describe.each(GENERATIONS)("$name daemons", (generation) => {
  const lab = useLab(python, generation);

  describe("timeouts", () => {
    it("a per-proxy timeout fails the call and closes the connection; the next call reconnects", async () => {
      await using proxy = new PyroProxy(lab.uri, { timeoutMs: 300 });
      const error = await failure(proxy.$call("slow", [3]));
      expect(error.code).toBe("timeout");
      expect(error.message).toContain("receiving: timeout");
      expect(proxy.$connected).toBe(false);
      expect(await proxy.$call("echo", ["next"])).toBe("next");
    });

    it("a per-call timeout overrides the proxy's", async () => {
      await using proxy = new PyroProxy(lab.uri);
      proxy.$timeout = 0;
      const error = await failure(proxy.$call("slow", [3], {}, { timeoutMs: 250 }));
      expect(error.code).toBe("timeout");
      expect(await proxy.$call("slow", [0.05, "quick"])).toBe("quick");
    });

    it("the global COMMTIMEOUT applies to proxies created afterwards", async () => {
      const before = config.get("COMMTIMEOUT");
      config.set({ COMMTIMEOUT: 0.25 });
      try {
        await using proxy = new PyroProxy(lab.uri);
        expect(proxy.$timeout).toBe(250);
        expect((await failure(proxy.$call("slow", [3]))).code).toBe("timeout");
      } finally {
        config.set({ COMMTIMEOUT: before });
      }
    });

    it("a daemon that never answers times out while connecting", async () => {
      const { info } = await python.startFixture<{ uri: string }>("silent_server.py");
      await using proxy = new PyroProxy(info.uri, { timeoutMs: 300 });
      const error = await failure(proxy.$call("echo", [1]));
      expect(error.code).toBe("timeout");
      expect(error.message).toMatch(/^while connecting to 127\.0\.0\.1:\d+: receiving: timeout/);
    });
  });

  describe("aborting", () => {
    it("an abort fails the call and every call in flight with the same error", async () => {
      await using proxy = new PyroProxy(lab.uri);
      await proxy.$bind();
      const controller = new AbortController();
      const slow = failure(proxy.$call("slow", [3], {}, { signal: controller.signal }));
      const other = failure(proxy.$call("echo", ["behind"]));
      setTimeout(() => controller.abort(new Error("user gave up")), 100);
      const [a, b] = await Promise.all([slow, other]);
      expect(a.code).toBe("aborted");
      expect(a.message).toContain("user gave up");
      expect(b).toBe(a);
      expect(await proxy.$call("echo", ["after"])).toBe("after");
    });

    it("an already aborted signal sends nothing", async () => {
      await using proxy = new PyroProxy(lab.uri);
      const error = await failure(proxy.$call("echo", [1], {}, { signal: AbortSignal.abort() }));
      expect(error.code).toBe("aborted");
      expect(proxy.$connected).toBe(false);
    });
  });

  describe("MAX_RETRIES", () => {
    it("re-sends a timed-out call, so the daemon runs it again (per proxy)", async () => {
      await using proxy = new PyroProxy(lab.uri, { timeoutMs: 1000, maxRetries: 2 });
      const error = await failure(proxy.$call("count_call", ["retry-proxy", 2.5]));
      expect(error.code).toBe("timeout");
      await using checker = new PyroProxy(lab.uri);
      await waitFor(async () => (await checker.$call("counter", ["retry-proxy"])) === 3, SETTLE_S);
    });

    it("takes its default from the configuration", async () => {
      const cfg = new PyroConfig({ MAX_RETRIES: 1, COMMTIMEOUT: 1 });
      await using proxy = new PyroProxy(lab.uri, { config: cfg });
      expect(proxy.$maxRetries).toBe(1);
      await failure(proxy.$call("count_call", ["retry-config", 2.5]));
      await using checker = new PyroProxy(lab.uri);
      await waitFor(async () => (await checker.$call("counter", ["retry-config"])) === 2, SETTLE_S);
    });

    it("retries a call whose connection was lost, and it succeeds", async () => {
      await using proxy = new PyroProxy(lab.uri, { maxRetries: 1 });
      await proxy.$bind();
      const first = proxy.$call("count_call", ["retry-lost", 0.3]);
      setTimeout(() => proxy.$release(), 100);
      // The release fails the first attempt with connection-closed; the retry runs it again.
      expect(typeof (await first)).toBe("number");
      await using checker = new PyroProxy(lab.uri);
      await waitFor(async () => (await checker.$call("counter", ["retry-lost"])) === 2, SETTLE_S);
    });
  });

  describe("connection lifetime", () => {
    it("a daemon killed mid-call fails every call in flight with the same error", async () => {
      const victim = await startLab(python, [], {}, generation);
      await using proxy = new PyroProxy(victim.uri);
      await proxy.$bind();
      const calls = Promise.all([
        failure(proxy.$call("slow", [5])),
        failure(proxy.$call("echo", [1])),
        failure(proxy.$call("echo", [2])),
      ]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const stopped = victim.stop();
      const [a, b, c] = await calls;
      await stopped;
      expect(a.code).toBe("connection-closed");
      expect(b).toBe(a);
      expect(c).toBe(a);
      const after = await failure(proxy.$call("echo", [3]));
      expect(after.code).toBe("communication");
      expect(after.message).toMatch(/^cannot connect to/);
    });

    it("reconnects to a restarted daemon, explicitly and on the next call", async () => {
      const port = await freePort();
      const first = await startLab(python, ["--port", String(port)], {}, generation);
      await using proxy = new PyroProxy(first.uri);
      expect(await proxy.$call("echo", [1])).toBe(1);
      await first.stop();
      await startLab(python, ["--port", String(port)], {}, generation);
      // As in Pyro4, the call after the daemon went away fails once (nothing is sent), and
      // the next one connects to the new daemon.
      expect((await failure(proxy.$call("echo", [2]))).code).toBe("connection-closed");
      expect(await proxy.$call("echo", [2])).toBe(2);
      await proxy.$reconnect(5, 50);
      expect(proxy.$connected).toBe(true);
      expect(await proxy.$call("echo", [3])).toBe(3);
    });

    it("$reconnect gives up after the given tries", async () => {
      const port = await freePort();
      await using proxy = new PyroProxy(`PYRO:lab@127.0.0.1:${port}`);
      const error = await failure(proxy.$reconnect(2, 10));
      expect(error.code).toBe("connection-closed");
      expect(error.message).toContain(
        `failed to reconnect to PYRO:lab@127.0.0.1:${port} after 2 tries`,
      );
    });

    it("$release closes the connection; calls in flight fail; the proxy stays usable", async () => {
      await using proxy = new PyroProxy(lab.uri);
      // Connected first, so the release can only meet the call in flight (never the connect).
      await proxy.$bind();
      const pending = failure(proxy.$call("slow", [2]));
      await new Promise((resolve) => setTimeout(resolve, 100));
      proxy.$release();
      expect((await pending).code).toBe("connection-closed");
      expect(proxy.$connected).toBe(false);
      expect(await proxy.$call("echo", [1])).toBe(1);
    });

    it("await using releases the proxy at the end of the scope", async () => {
      let outer: PyroProxy | undefined;
      {
        await using proxy = new PyroProxy(lab.uri);
        outer = proxy;
        await proxy.$call("echo", [1]);
        expect(proxy.$connected).toBe(true);
      }
      expect(outer.$connected).toBe(false);
    });

    it("$copy gives an unconnected proxy with the same settings and metadata", async () => {
      await using proxy = new PyroProxy(lab.uri, {
        serializer: "json",
        timeoutMs: 1234,
        maxRetries: 2,
      });
      await proxy.$bind();
      await using copy = proxy.$copy();
      expect(copy.$connected).toBe(false);
      expect(copy.$uri.toString()).toBe(lab.uri);
      expect(copy.$serializer).toBe("json");
      expect(copy.$timeout).toBe(1234);
      expect(copy.$maxRetries).toBe(2);
      expect(copy.$metadata).toEqual(proxy.$metadata);
      expect(await copy.$call("echo", ["copy"])).toBe("copy");
      expect(proxy.$connected).toBe(true);
    });
  });
});
