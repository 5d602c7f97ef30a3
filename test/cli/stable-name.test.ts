/**
 * Type names and default URIs that outlive a server restart: Pyro4's made-up object ids
 * (`obj_…`) and ports are recognised, a random id's type name comes from a real name
 * server's name for that URI, and without one the CLI asks for `-n` (with `--source`, the
 * class name wins: see test/cli/check-write.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliError } from "../../src/cli/exit-codes.js";
import {
  defaultTypeName,
  defaultUriWarnings,
  isRandomObjectId,
} from "../../src/cli/stable-name.js";
import { freePort, PythonProcesses } from "../harness/python.js";
import { startRandomIdObjects } from "./random-id-objects.js";

const RANDOM_ID = "obj_627e50ba0c4d4d8f9a3bb2b3e3d0c6a1";

describe("random object ids and ports", () => {
  it("recognises Pyro4's made-up object ids only", () => {
    expect(isRandomObjectId(RANDOM_ID)).toBe(true);
    expect(isRandomObjectId("obj_627e50ba")).toBe(false);
    expect(isRandomObjectId("example.musicserver")).toBe(false);
    expect(isRandomObjectId(RANDOM_ID.toUpperCase())).toBe(false);
  });

  it("warns about a default URI with a random object id or a port from the ephemeral range", () => {
    expect(defaultUriWarnings(`PYRO:${RANDOM_ID}@127.0.0.1:9999`)).toEqual([
      expect.stringContaining(`the default URI carries a random object id (${RANDOM_ID})`),
    ]);
    expect(defaultUriWarnings("PYRO:example.musicserver@127.0.0.1:45123")).toEqual([
      expect.stringContaining("the default URI's port 45123 looks random"),
    ]);
    expect(defaultUriWarnings("PYRO:example.musicserver@127.0.0.1:9999")).toEqual([]);
    expect(defaultUriWarnings("PYRONAME:example.musicserver")).toEqual([]);
    expect(defaultUriWarnings("PYRO:example@./u:/tmp/socket")).toEqual([]);
  });
});

describe("defaultTypeName", { timeout: 90_000 }, () => {
  const python = new PythonProcesses();
  let nsPort = 0;
  let registered = "";
  let unregistered = "";

  beforeAll(async () => {
    ({ nsPort, registered, unregistered } = await startRandomIdObjects(python));
  });
  afterAll(() => python.stopAll());

  const settings = () => ({ nsHost: "127.0.0.1", nsPort, broadcast: false });

  it("comes from the URI's object name or id when that is stable", async () => {
    expect(await defaultTypeName("PYRONAME:example.musicserver", settings())).toBe(
      "ExampleMusicserver",
    );
    expect(await defaultTypeName("PYRO:lab.main@127.0.0.1:9999", settings())).toBe("LabMain");
  });

  it("for a random id: the name server's name for that URI", async () => {
    expect(registered).toMatch(/^PYRO:obj_[0-9a-f]{32}@/);
    expect(await defaultTypeName(registered, settings())).toBe("ExampleCounter");
  });

  it("for a random id the name server does not know, or with no name server: asks for -n", async () => {
    const unknown = await defaultTypeName(unregistered, settings()).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(CliError);
    expect((unknown as CliError).exitCode).toBe(2);
    expect((unknown as CliError).message).toContain("the name server has no name for it");
    expect((unknown as CliError).message).toContain("give the type name with -n <TypeName>");

    const noServer = { nsHost: "127.0.0.1", nsPort: await freePort(), broadcast: false };
    const none = await defaultTypeName(registered, noServer).catch((e: unknown) => e);
    expect((none as CliError).message).toContain(
      "no name server could name it (Failed to locate the nameserver)",
    );
  });
});
