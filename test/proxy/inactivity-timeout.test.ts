/**
 * The reply timeout is an inactivity timeout, as Pyro4's socket timeout (COMMTIMEOUT) is:
 * while calls wait on a connection it fails only when no reply data has arrived for
 * `timeoutMs`. A reply in progress counts as activity, and calls queued behind others are
 * not failed for the time they wait their turn. Against Pyro4 and Pyro5 daemons alike.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { failure } from "../harness/failures.js";
import { pythonReport, startHardening, type HardeningInfo } from "../harness/hardening.js";
import { GENERATIONS } from "../harness/generations.js";
import { PythonProcesses } from "../harness/python.js";

const python = new PythonProcesses();
afterAll(() => python.stopAll());

describe.each(GENERATIONS)(
  "$name: the reply timeout counts inactivity, not time since the call",
  (generation) => {
    let daemon: HardeningInfo;
    let relayUri: string;
    beforeAll(async () => {
      daemon = await startHardening(python, [], {}, generation);
      // 5000-byte replies arrive in 8 pieces, 0.5 s apart: 3.5 s from first to last byte.
      const { info } = await python.startFixture<{ port: number }>("trickle_relay.py", [
        "--target-port",
        String(daemon.port),
        "--min-size",
        "4000",
        "--pieces",
        "8",
        "--interval",
        "0.5",
      ]);
      relayUri = `PYRO:thing@127.0.0.1:${info.port}`;
    });

    it("a reply trickling in over 3.5 s succeeds with a 2 s timeout", async () => {
      await using proxy = new PyroProxy(relayUri, { timeoutMs: 2000 });
      expect(await proxy.$call("big", [5000])).toBe("x".repeat(5000));
      expect(proxy.$connected).toBe(true);
      expect(proxy.$protocol).toBe(generation.protocol);
    });

    it(`so does ${generation.name}'s own client with COMMTIMEOUT=2 through the same relay`, async () => {
      const report = await pythonReport<{ length: number }>(
        python,
        "import sys, json, Pyro4\n" +
          "p = Pyro4.Proxy(sys.argv[1])\n" +
          "print('READY ' + json.dumps({'length': len(p.big(5000))}), flush=True)\n",
        [relayUri],
        { PYRO_COMMTIMEOUT: "2" },
        { generation },
      );
      expect(report.length).toBe(5000);
    });

    it("the same trickle fails with a 300 ms timeout: it still times out on silence", async () => {
      await using proxy = new PyroProxy(relayUri, { timeoutMs: 300 });
      const error = await failure(proxy.$call("big", [5000]));
      expect(error.code).toBe("timeout");
      expect(error.message).toMatch(/^receiving: timeout \(no reply data for 300 ms/);
      expect(proxy.$connected).toBe(false);
    });

    it("calls queued behind a slow one are not failed for their wait while replies flow", async () => {
      await using proxy = new PyroProxy(daemon.uri, { timeoutMs: 1500 });
      await proxy.$bind();
      // Each reply comes 0.4 s after the previous one: 3.2 s for all, never 1.5 s of silence.
      const calls = Array.from({ length: 8 }, (_, i) => proxy.$call("slow", [0.4, i]));
      expect(await Promise.all(calls)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    });

    it("a silent daemon fails every call in flight once the timeout passes without data", async () => {
      await using proxy = new PyroProxy(daemon.uri, { timeoutMs: 400 });
      await proxy.$bind();
      const calls = [proxy.$call("slow", [3]), proxy.$call("echo", [1])].map(failure);
      const [a, b] = await Promise.all(calls);
      expect(a!.code).toBe("timeout");
      expect(b).toBe(a);
      expect(await proxy.$call("echo", ["after"])).toBe("after");
    });

    it("a per-call timeout applies while that call waits", async () => {
      await using proxy = new PyroProxy(daemon.uri, { timeoutMs: 0 });
      const error = await failure(proxy.$call("slow", [3], {}, { timeoutMs: 300 }));
      expect(error.code).toBe("timeout");
      expect(error.message).toContain("no reply data for 300 ms");
    });
  },
);
