/**
 * `$responseAnnotations`: the CONNECT reply's annotations once connected, each reply's after
 * a call, and none after a oneway call (Pyro4 empties them: no reply came).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { startHardening, type HardeningInfo } from "../harness/hardening.js";
import { PythonProcesses } from "../harness/python.js";

const python = new PythonProcesses();
let daemon: HardeningInfo;
beforeAll(async () => {
  daemon = await startHardening(python);
});
afterAll(() => python.stopAll());

const text = (bytes: Uint8Array | undefined): string | undefined =>
  bytes === undefined ? undefined : Buffer.from(bytes).toString();

describe("response annotations", () => {
  it("include the CONNECT reply's annotations after connecting", async () => {
    await using proxy = new PyroProxy(daemon.uri);
    await proxy.$bind();
    expect(text(proxy.$responseAnnotations.get("DMON"))).toBe("hardening");
    expect(proxy.$responseAnnotations.get("CORR")?.length).toBe(16);
  });

  it("are the last reply's after a call, and empty after a oneway call", async () => {
    await using proxy = new PyroProxy(daemon.uri);
    await proxy.$call("echo", [1]);
    expect(text(proxy.$responseAnnotations.get("DMON"))).toBe("hardening");
    await proxy.$call("echo", [2], {}, { oneway: true });
    expect(proxy.$responseAnnotations.size).toBe(0);
    await proxy.$call("echo", [3]);
    expect(proxy.$responseAnnotations.size).toBeGreaterThan(0);
  });
});
