/**
 * Linux abstract-namespace Unix sockets (`./u:\0name` in Pyro4). Node.js pads an abstract
 * address to the full 108 bytes, while Python binds the exact name, so the two never meet:
 * connecting fails at once with a `communication` error that says so (docs/runtime.md), and
 * pyrogen's daemon refuses to listen on such a name, which Python clients could not reach.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Daemon } from "../../src/runtime/daemon/daemon.js";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { failure } from "../harness/failures.js";
import { startHardening, type HardeningInfo } from "../harness/hardening.js";
import { PythonProcesses } from "../harness/python.js";

const python = new PythonProcesses();
let daemon: HardeningInfo;
const name = `pyrogen-test-${process.pid}`;
beforeAll(async () => {
  daemon = await startHardening(python, ["--abstract", name]);
});
afterAll(() => python.stopAll());

describe("abstract-namespace Unix sockets", () => {
  it("Pyro4 hands out such a URI", () => {
    expect(daemon.uri).toBe(`PYRO:thing@./u:\0${name}`);
  });

  it("connecting fails with a communication error that says why", async () => {
    await using proxy = new PyroProxy(daemon.uri);
    const error = await failure(proxy.$call("echo", [1]));
    expect(error.code).toBe("communication");
    expect(error.message).toContain(`cannot connect to ./u:\\0${name}`);
    expect(error.message).toMatch(/abstract-namespace/);
    expect(error.message).toMatch(/Node\.js/);
  });

  it("pyrogen's daemon refuses to listen on an abstract name", async () => {
    const error = await failure(Daemon.start({ unixSocket: `\0${name}-ts` }));
    expect(error.code).toBe("daemon");
    expect(error.message).toMatch(/abstract-namespace/);
  });
});
