import { afterAll, describe, expect, it } from "vitest";
import { PythonProcesses } from "../harness/python.js";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { failure } from "../harness/failures.js";

const python = new PythonProcesses();
afterAll(() => python.stopAll());

describe("cancelling a connect attempt (daemon that never answers the CONNECT)", () => {
  it("$release fails every call waiting for the connection, without any timeout", async () => {
    const { info } = await python.startFixture<{ uri: string }>("silent_server.py");
    const proxy = new PyroProxy(info.uri, { timeoutMs: 0 });
    const calls = [proxy.$call("echo", [1]), proxy.$call("echo", [2])].map(failure);
    setTimeout(() => proxy.$release(), 50);
    const [a, b] = await Promise.all(calls);
    expect(a!.code).toBe("aborted");
    expect(a!.message).toMatch(/the proxy was released/);
    expect(b).toBe(a);
    expect(proxy.$connected).toBe(false);
  });

  it("a caller's abort fails the shared attempt with the caller's reason", async () => {
    const { info } = await python.startFixture<{ uri: string }>("silent_server.py");
    await using proxy = new PyroProxy(info.uri, { timeoutMs: 0 });
    const controller = new AbortController();
    const pending = failure(proxy.$call("echo", [1], {}, { signal: controller.signal }));
    setTimeout(() => controller.abort(new Error("user gave up")), 50);
    const error = await pending;
    expect(error.code).toBe("aborted");
    expect(error.message).toMatch(/user gave up/);
  });
});
