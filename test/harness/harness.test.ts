import { afterAll, describe, expect, it } from "vitest";
import { connect } from "node:net";
import { PythonProcesses, findPython, freePort, runPython } from "./python.js";

const python = new PythonProcesses();
afterAll(() => python.stopAll());

describe("python harness", () => {
  it("finds an interpreter with Pyro4 4.82", () => {
    expect(runPython("import Pyro4; print(Pyro4.__version__)").trim()).toBe("4.82");
    expect(findPython()).toBeTruthy();
  });

  it("starts Pyro4's echo server on a free loopback port and stops it by PID", async () => {
    const port = await freePort();
    const proc = await python.start(
      ["-m", "Pyro4.test.echoserver", "-H", "127.0.0.1", "-p", String(port)],
      { ready: { port } },
    );
    expect(proc.pid).toBeGreaterThan(0);
    await proc.stop();
    expect(() => process.kill(proc.pid, 0)).toThrow();
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect({ port, host: "127.0.0.1" });
      socket.once("connect", () => (socket.destroy(), resolve(false)));
      socket.once("error", () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});
