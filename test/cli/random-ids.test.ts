/**
 * `pyrogen PYRO:obj_…` for an object Pyro4 gave a made-up id, against real daemons and a
 * real name server: the type name comes from the name server's name for it, or the class
 * in `--source`, or `-n`; without any of them the CLI refuses and asks for `-n`; and the
 * module's default URI is flagged for carrying the random id.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURES, PythonProcesses } from "../harness/python.js";
import { startRandomIdObjects } from "./random-id-objects.js";
import { runCli } from "./run-cli.js";

const python = new PythonProcesses();
let nsPort = 0;
let registered = "";
let unregistered = "";

beforeAll(async () => {
  ({ nsPort, registered, unregistered } = await startRandomIdObjects(python));
});
afterAll(() => python.stopAll());

const ns = () => ["--ns-host", "127.0.0.1", "--ns-port", String(nsPort), "--no-broadcast"];

describe("an object with a random id", { timeout: 90_000 }, () => {
  it("is named after its name-server name, with a warning about the default URI", async () => {
    const r = await runCli([registered, ...ns()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("export interface ExampleCounter {");
    expect(r.stdout).not.toMatch(/\bObj[0-9a-f]{6}/i);
    const id = registered.slice("PYRO:".length, registered.indexOf("@"));
    expect(r.stderr).toContain(
      `pyrogen: warning: ${registered}: the default URI carries a random object id (${id})`,
    );
  });

  it("is named after the class in --source", async () => {
    const source = path.join(FIXTURES, "cli_objects_server.py");
    const r = await runCli([unregistered, "--source", source, "--class", "Counter", ...ns()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("export interface Counter {");
  });

  it("without a name server's name, a source or -n: refused, asking for -n", async () => {
    const r = await runCli([unregistered, ...ns()]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("the object id is one Pyro made up when the object was registered");
    expect(r.stderr).toContain("the name server has no name for it");
    expect(r.stderr).toContain("give the type name with -n <TypeName>");
    const named = await runCli([unregistered, "-n", "Counter", ...ns()]);
    expect(named.code).toBe(0);
    expect(named.stdout).toContain("export interface Counter {");
    expect(named.stderr).toContain("the default URI carries a random object id");
  });
});
