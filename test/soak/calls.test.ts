/**
 * The bounded soak: tens of thousands of calls, pipelined and sequential, against a real
 * Pyro4 daemon and against pyrogen's own, with this process's RSS sampled. Steady use must
 * not grow memory, and a pipelined burst must not time out while its replies keep coming.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Daemon } from "../../src/runtime/daemon/daemon.js";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { settledRss } from "../harness/bounds.js";
import { startHardening, type HardeningInfo } from "../harness/hardening.js";
import { PythonProcesses } from "../harness/python.js";

const python = new PythonProcesses();
let daemon: HardeningInfo;
beforeAll(async () => {
  daemon = await startHardening(python);
});
afterAll(() => python.stopAll());

const MB = 1024 * 1024;

/** Run `waves` rounds of `round()`, sampling RSS after each; the growth after the first, in MB. */
async function growthOver(waves: number, round: () => Promise<void>): Promise<number> {
  await round();
  const base = settledRss();
  let peak = base;
  for (let i = 1; i < waves; i++) {
    await round();
    peak = Math.max(peak, settledRss());
  }
  return (peak - base) / MB;
}

describe("soak", () => {
  it("a burst of 30,000 pipelined calls with a 1 s timeout all succeed (the timeout counts silence)", async () => {
    // Pyro4's daemon answers one connection at some 10-30k calls/s: the last reply comes
    // seconds after its call was queued, but replies arrive all the while.
    await using proxy = new PyroProxy(daemon.uri, { timeoutMs: 1000 });
    await proxy.$bind();
    const count = 30_000;
    const results = await Promise.all(
      Array.from({ length: count }, (_, i) => proxy.$call("echo", [i])),
    );
    expect(results.length).toBe(count);
    expect(results.every((value, i) => value === i)).toBe(true);
    expect(proxy.$connected).toBe(true);
  }, 60_000);

  it("pipelined waves against Pyro4's daemon do not grow memory", async () => {
    await using proxy = new PyroProxy(daemon.uri, { timeoutMs: 5000 });
    let next = 0;
    const grown = await growthOver(5, async () => {
      const wave = Array.from({ length: 3000 }, () => proxy.$call("echo", [next++]));
      const results = await Promise.all(wave);
      expect(results.at(-1)).toBe(next - 1);
    });
    expect(grown).toBeLessThan(24);
  });

  it("sequential calls against Pyro4's daemon do not grow memory", async () => {
    await using proxy = new PyroProxy(daemon.uri, { timeoutMs: 5000 });
    const grown = await growthOver(5, async () => {
      for (let i = 0; i < 400; i++) expect(await proxy.$call("echo", [i])).toBe(i);
    });
    expect(grown).toBeLessThan(24);
  });

  it("pipelined and sequential calls against pyrogen's daemon do not grow memory", async () => {
    await using tsDaemon = await Daemon.start({ host: "127.0.0.1", timeoutMs: 5000 });
    const uri = tsDaemon.register({ echo: (x: unknown) => x }, { expose: { methods: ["echo"] } });
    await using proxy = new PyroProxy(uri, { timeoutMs: 5000 });
    const grown = await growthOver(5, async () => {
      const wave = await Promise.all(
        Array.from({ length: 3000 }, (_, i) => proxy.$call("echo", [i])),
      );
      expect(wave.at(-1)).toBe(2999);
      for (let i = 0; i < 200; i++) expect(await proxy.$call("echo", [i])).toBe(i);
    });
    expect(grown).toBeLessThan(24);
  });
});
