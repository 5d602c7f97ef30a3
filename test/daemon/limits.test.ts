/**
 * pyrogen's daemon against clients that misbehave, with real Pyro4 and Pyro5 clients beside them:
 * one that never reads its replies (write backpressure), idle ones (COMMTIMEOUT, as Pyro4's
 * daemon honours it), too many at once (maxConnections, refused as Pyro4 refuses "no free
 * workers"), and an object that exposes nothing (accepted, as Pyro4 accepts it).
 */
import { afterAll, describe, expect, it } from "vitest";
import { PyroConfig } from "../../src/runtime/config.js";
import { Daemon } from "../../src/runtime/daemon/daemon.js";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { pythonReport } from "../harness/hardening.js";
import { GENERATIONS } from "../harness/generations.js";
import { PythonProcesses } from "../harness/python.js";
import { waitFor } from "../harness/wait.js";

/** A Python proxy binds to argv[1] and reports what happened: `connected`, or the error. */
const PYTHON_BIND =
  "import sys, json, Pyro4, Pyro4.errors\n" +
  "try:\n" +
  "    Pyro4.Proxy(sys.argv[1])._pyroBind()\n" +
  "    result = {'type': 'connected', 'text': ''}\n" +
  "except Exception as e:\n" +
  "    result = {'type': type(e).__name__, 'text': str(e)}\n" +
  "print('READY ' + json.dumps(result), flush=True)\n";
const python = new PythonProcesses();
afterAll(() => python.stopAll());

const MB = 1024 * 1024;

/** A registered object with a method whose replies are large: `big(n)` is n bytes. */
function bigReplies(daemon: Daemon): string {
  return daemon
    .register(
      {
        big: (n: number) => "x".repeat(n),
        echo: (x: unknown) => x,
        sleep: (s: number) => new Promise((r) => setTimeout(() => r(s), s * 1000)),
      },
      { id: "big", expose: { methods: ["big", "echo", "sleep"] } },
    )
    .toString();
}

describe.each(GENERATIONS)("$name clients", (generation) => {
  describe("a client that sends requests and never reads the replies (see also test/soak)", () => {
    it("is disconnected when its replies make no progress for the daemon's timeout", async () => {
      await using daemon = await Daemon.start({ host: "127.0.0.1", timeoutMs: 800 });
      bigReplies(daemon);
      const hostile = await python.start(
        [
          "fixtures/hostile_client.py",
          "never-read",
          "127.0.0.1",
          String(daemon.port),
          "big",
          "50",
          String(MB),
          "--hold",
          "2.5",
        ],
        { ready: { line: /^READY (.*)$/ }, generation: generation.protocol },
      );
      await waitFor(async () => hostile.output().includes("DONE "), 20);
      const done = JSON.parse(/DONE (.*)/.exec(hostile.output())![1]!) as {
        eof: boolean;
        received: number;
      };
      await hostile.stop();
      expect(done.eof).toBe(true);
      expect(done.received).toBeLessThan(50 * MB);
    });
  });

  describe("idle connections (COMMTIMEOUT)", () => {
    const idleClient =
      "import sys, json, time, Pyro4, Pyro4.errors\n" +
      "p = Pyro4.Proxy(sys.argv[1])\n" +
      "seen = [p.echo('first')]\n" +
      "time.sleep(float(sys.argv[2]))\n" +
      "try:\n" +
      "    seen.append(p.echo('after idling'))\n" +
      "except Pyro4.errors.ConnectionClosedError as e:\n" +
      "    seen.append(type(e).__name__)\n" +
      "print('READY ' + json.dumps(seen), flush=True)\n";

    it("a connection idle for longer than timeoutMs is closed, as Pyro4's daemon does", async () => {
      await using daemon = await Daemon.start({ host: "127.0.0.1", timeoutMs: 500 });
      const uri = bigReplies(daemon);
      const seen = await pythonReport<string[]>(
        python,
        idleClient,
        [uri, "1.2"],
        {},
        { generation },
      );
      expect(seen).toEqual(["first", "ConnectionClosedError"]);
    });

    it("the default comes from COMMTIMEOUT (seconds)", async () => {
      await using daemon = await Daemon.start({
        host: "127.0.0.1",
        config: new PyroConfig({ COMMTIMEOUT: 0.5 }),
      });
      const uri = bigReplies(daemon);
      expect(
        await pythonReport<string[]>(python, idleClient, [uri, "1.2"], {}, { generation }),
      ).toEqual(["first", "ConnectionClosedError"]);
    });

    it("a call that runs longer than the timeout is not cut short (the client waits for us)", async () => {
      await using daemon = await Daemon.start({ host: "127.0.0.1", timeoutMs: 400 });
      const uri = bigReplies(daemon);
      const report = await pythonReport<number[]>(
        python,
        "import sys, json, Pyro4\n" +
          "p = Pyro4.Proxy(sys.argv[1])\n" +
          "print('READY ' + json.dumps([p.sleep(1.2), p.sleep(0.1)]), flush=True)\n",
        [uri],
        {},
        { generation },
      );
      expect(report).toEqual([1.2, 0.1]);
    });

    it("without a timeout (COMMTIMEOUT 0, the default) idle connections stay", async () => {
      await using daemon = await Daemon.start({ host: "127.0.0.1" });
      const uri = bigReplies(daemon);
      expect(
        await pythonReport<string[]>(python, idleClient, [uri, "1.0"], {}, { generation }),
      ).toEqual(["first", "after idling"]);
    });
  });

  describe("maxConnections", () => {
    it("refuses connections over the cap with 'no free workers' in the client's generation, and admits again once one closes", async () => {
      await using daemon = await Daemon.start({ host: "127.0.0.1", maxConnections: 2 });
      const uri = bigReplies(daemon);
      await using first = new PyroProxy(uri, { protocol: generation.protocol });
      await using second = new PyroProxy(uri, { protocol: generation.protocol });
      await first.$bind();
      await second.$bind();
      const refused = await pythonReport<{ type: string; text: string }>(
        python,
        PYTHON_BIND,
        [uri],
        {},
        { generation },
      );
      expect(refused.type).toBe("CommunicationError");
      expect(refused.text).toContain("rejected: no free workers");
      expect(refused.text).toContain("maxConnections=2");
      await using third = new PyroProxy(uri, { protocol: generation.protocol });
      const error = await third.$bind().catch((caught: unknown) => caught as Error);
      expect((error as Error).message).toMatch(/no free workers/);
      first.$release();
      await waitFor(async () => {
        try {
          await third.$bind();
          return true;
        } catch {
          return false;
        }
      });
      expect(await third.$call("echo", ["admitted"])).toBe("admitted");
    });
  });

  describe("an object that exposes nothing", () => {
    it("is registered, as Pyro4 registers it; a Python proxy then says it exposes nothing", async () => {
      await using daemon = await Daemon.start({ host: "127.0.0.1" });
      const uri = daemon.register({ hidden: () => "never reachable" }, { id: "nothing" });
      await using daemonObject = new PyroProxy(daemon.uri, { protocol: generation.protocol });
      expect(await daemonObject.$call("registered")).toEqual(["Pyro.Daemon", "nothing"]);
      const report = await pythonReport<{ type: string; text: string }>(
        python,
        PYTHON_BIND,
        [uri.toString()],
        {},
        { generation },
      );
      expect(report.type).toBe("PyroError");
      expect(report.text).toContain("doesn't expose any methods or attributes");
    });
  });
});
