/**
 * A connection the daemon closed between two calls (an idle disconnect, a restart) fails the
 * next call with `connection-closed`, as Pyro4's ConnectionClosedError: the proxy does not
 * silently reconnect (with instance_mode="session" that would swap the server object behind
 * the caller's back). The call after that opens a new connection; with retries configured
 * the failed call itself is re-sent on a new one. Against Pyro4 and Pyro5 daemons alike.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { failure } from "../harness/failures.js";
import { pythonReport, startHardening, type HardeningInfo } from "../harness/hardening.js";
import { GENERATIONS } from "../harness/generations.js";
import { PythonProcesses } from "../harness/python.js";
import { waitFor } from "../harness/wait.js";

const python = new PythonProcesses();
afterAll(() => python.stopAll());

describe.each(GENERATIONS)("a connection the $name daemon closed between calls", (generation) => {
  let daemon: HardeningInfo;
  beforeAll(async () => {
    // The daemon drops connections idle for 0.5 s (the daemon's COMMTIMEOUT).
    daemon = await startHardening(python, [], { PYRO_COMMTIMEOUT: "0.5" }, generation);
  });

  it("fails the next call with connection-closed; the call after reconnects", async () => {
    await using proxy = new PyroProxy(daemon.session);
    expect(await proxy.$call("incr")).toBe(1);
    expect(await proxy.$call("incr")).toBe(2);
    await waitFor(async () => !proxy.$connected);
    const error = await failure(proxy.$call("incr"));
    expect(error.code).toBe("connection-closed");
    expect(error.message).toMatch(/closed since the last call/);
    // The next call opens a new connection: a new session object, explicitly.
    expect(await proxy.$call("incr")).toBe(1);
  });

  it(`is what ${generation.name}'s own client does: ConnectionClosedError, then a new session`, async () => {
    const report = await pythonReport<string[]>(
      python,
      "import sys, json, time, Pyro4, Pyro4.errors\n" +
        "p = Pyro4.Proxy(sys.argv[1])\n" +
        "seen = [str(p.incr()), str(p.incr())]\n" +
        "time.sleep(1.2)\n" +
        "try:\n" +
        "    seen.append(str(p.incr()))\n" +
        "except Pyro4.errors.ConnectionClosedError as e:\n" +
        "    seen.append(type(e).__name__)\n" +
        "seen.append(str(p.incr()))\n" +
        "print('READY ' + json.dumps(seen), flush=True)\n",
      [daemon.session],
      {},
      { generation },
    );
    expect(report).toEqual(["1", "2", "ConnectionClosedError", "1"]);
  });

  it("with maxRetries the call is re-sent on a new connection at once", async () => {
    await using proxy = new PyroProxy(daemon.session, { maxRetries: 1 });
    expect(await proxy.$call("incr")).toBe(1);
    await waitFor(async () => !proxy.$connected);
    expect(await proxy.$call("incr")).toBe(1);
  });

  it("$reconnect() and $bind() still open a new connection explicitly", async () => {
    await using proxy = new PyroProxy(daemon.session);
    expect(await proxy.$call("incr")).toBe(1);
    await waitFor(async () => !proxy.$connected);
    await proxy.$reconnect(1);
    expect(await proxy.$call("incr")).toBe(1);
    await waitFor(async () => !proxy.$connected);
    await proxy.$bind();
    expect(await proxy.$call("incr")).toBe(1);
  });

  it("a proxy released by the caller reconnects on the next call without error", async () => {
    await using proxy = new PyroProxy(daemon.session);
    expect(await proxy.$call("incr")).toBe(1);
    proxy.$release();
    expect(await proxy.$call("incr")).toBe(1);
  });
});
