/**
 * Golden fixture folders `fixtures/codegen/<case>/`: a Python server, its metadata snapshot,
 * the options (a pyrogen config file) and the expected module. Each case is regenerated and
 * compared byte for byte, its snapshot is compared with what the live daemon reports, the
 * expected module is compiled with `tsc --strict`, and a program using it runs against the
 * live daemon.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchMetadata } from "../../src/cli/fetch-metadata.js";
import { readSnapshot } from "../../src/cli/snapshot-file.js";
import { FIXTURES, PythonProcesses, ROOT } from "../harness/python.js";
import { runCli } from "../cli/run-cli.js";

const run = promisify(execFile);
const CASES = [
  "music",
  "hostile",
  "music-source",
  "music-annotated",
  "music-docstrings",
  "zoo",
  "shop",
] as const;
type CaseName = (typeof CASES)[number];
/** The cases whose names come from a metadata snapshot (the others read Python source). */
const SNAPSHOT_CASES = ["music", "hostile", "shop"] as const;

const python = new PythonProcesses();
const uris = new Map<CaseName, string>();

beforeAll(async () => {
  await Promise.all(
    CASES.map(async (name) => {
      const { info } = await python.startFixture<{ uri: string }>(`codegen/${name}/server.py`);
      uris.set(name, info.uri);
    }),
  );
});
afterAll(() => python.stopAll());

const configOf = (name: CaseName): string =>
  path.join(FIXTURES, "codegen", name, "pyrogen.config.json");

describe.each(CASES)("golden case %s", { timeout: 120_000 }, (name) => {
  it("regenerates byte-identical from its snapshot or source and options", async () => {
    const r = await runCli(["--config", configOf(name), "--offline", "--check"]);
    expect(r.stderr).toMatch(/file\(s\) up to date/);
    expect(r.code).toBe(0);
  });
});

describe.each(SNAPSHOT_CASES)("snapshot of %s", (name) => {
  it("matches what the live daemon reports", async () => {
    const snapshot = await readSnapshot(path.join(FIXTURES, "codegen", name, "metadata.json"));
    expect(await fetchMetadata(uris.get(name)!, {})).toEqual(snapshot.metadata);
  });
});

describe("expected modules", () => {
  it("compile under tsc --strict together with the programs that use them", async () => {
    const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
    const project = path.join(FIXTURES, "codegen", "tsconfig.json");
    const result = await run(process.execPath, [tsc, "-p", project, "--strict", "--noEmit"], {
      cwd: ROOT,
    }).catch((error: { stdout?: string; code?: number }) => ({
      stdout: error.stdout ?? "",
      failed: error.code,
    }));
    expect("failed" in result ? result.stdout : "").toBe("");
  }, 60_000);
});

/** The zoo members each serializer cannot carry, from the generator's warnings. */
async function warnedMembers(): Promise<Map<string, string[]>> {
  const r = await runCli(["--config", configOf("zoo"), "--offline", "--check"]);
  const out = new Map<string, string[]>();
  for (const serializer of ["serpent", "json", "marshal", "msgpack"]) {
    const label = `Zoo${serializer[0]!.toUpperCase()}${serializer.slice(1)}`;
    const members = r.stderr
      .split("\n")
      .filter((line) => line.includes(`"${label}"`) && line.includes("(typed never)"))
      .map((line) => /server\.Zoo\.(\w+) result/.exec(line)![1]!);
    out.set(serializer, members);
  }
  return out;
}

async function usage(name: CaseName): Promise<Record<string, unknown>> {
  const program = path.join(FIXTURES, "codegen", name, "usage.ts");
  const { stdout } = await run(process.execPath, ["--import", "tsx", program, uris.get(name)!], {
    cwd: ROOT,
  });
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe("expected modules against their live daemons", () => {
  it("music: calls, attributes, oneway, batch, async, iterators, remote errors", async () => {
    const r = await usage("music");
    const all = ["Smells Like Teen Spirit", "Wonderwall", "Zombie", "Creep"];
    expect(r["songs"]).toEqual(all);
    expect(r["played"]).toBe("playing Zombie (looped)");
    expect(r["current"]).toBe("Zombie");
    expect(r["volumeBefore"]).toBe(5);
    expect(r["volumeAfter"]).toBe(7);
    expect(r["queued"]).toBe(2);
    expect(r["status"]).toEqual({ playing: "Zombie", queued: 2, volume: 7 });
    expect(r["stops"]).toBe(1);
    expect(r["batch"]).toEqual(["playing Creep", "Creep", 1]);
    expect(r["asyncSongs"]).toEqual(all);
    expect(r["streamed"]).toEqual(all.slice(0, 2));
    expect(r["listed"]).toEqual(all);
    expect(r["firstOnly"]).toBe(all[0]);
    expect(r["failure"]).toEqual({
      code: "remote",
      type: "__main__.PlaybackError",
      traceback: true,
    });
  }, 60_000);

  it("music-source: types inferred from the unannotated source hold at run time", async () => {
    const r = await usage("music-source");
    expect(r).toMatchObject({
      played: "playing Zombie (looped)",
      queued: 2,
      volume: 5,
      streamed: ["Smells Like Teen Spirit", "Wonderwall"],
      count: 0,
    });
    expect(r["status"]).toEqual({ playing: "Zombie", queued: 2, volume: 6 });
  }, 60_000);

  it("music-annotated: keyword-only arguments, a TypedDict, a NoReturn method", async () => {
    const r = await usage("music-annotated");
    expect(r).toEqual({
      played: "playing Zombie (looped)",
      current: "Zombie",
      queued: 2,
      playing: "Zombie",
      volume: 9,
      streamed: ["Smells Like Teen Spirit", "Wonderwall", "Zombie"],
      failed: "__main__.PlaybackError",
    });
  }, 60_000);

  it("music-docstrings: types from reST, Google and NumPy docstrings", async () => {
    const r = await usage("music-docstrings");
    expect(r).toEqual({
      played: "playing Creep",
      current: "Creep",
      queued: 1,
      stops: 0,
      status: { playing: "Creep", queued: 1, volume: 5 },
      streamed: ["Smells Like Teen Spirit"],
    });
  }, 60_000);

  it("zoo: every method, every serializer, every result checked: no validation failure", async () => {
    type Report = Record<
      string,
      { outcomes: Record<string, string>; facts: Record<string, unknown> }
    >;
    const report = (await usage("zoo")) as Report;
    // Each module's warnings name the members typed never: exactly those calls fail.
    const neverTyped = await warnedMembers();
    for (const serializer of ["serpent", "json", "marshal", "msgpack"]) {
      const { outcomes, facts } = report[serializer]!;
      const failed = Object.entries(outcomes).filter(([, outcome]) => outcome !== "ok");
      expect(failed.filter(([, outcome]) => outcome.startsWith("validation"))).toEqual([]);
      expect(Object.keys(outcomes)).toHaveLength(52);
      expect(failed.map(([member]) => member).sort()).toEqual(
        [...neverTyped.get(serializer)!, "explode"].sort(),
      );
      expect(facts).toMatchObject({
        an_int: 42,
        pair: [1, "one"],
        song: { title: "Creep", seconds: 238 },
        tree: ["leaf"],
        defaults: "a+a",
        rest: 6,
        keywords: "x=3.0",
        everything: ["A", "B", "C"],
        count_up: [0, 1, 2],
        words: ["alpha", "beta"],
        label: "renamed",
        created: 1991,
        "$iter.count_up": [0, 1],
        $async: 2,
      });
      expect(facts["counter"]).toEqual(
        serializer === "marshal" ? ["_pyroDaemon", "_pyroId", "_value"] : [7, 7],
      );
    }
  }, 120_000);

  it("shop: sessions, per-request annotations, returned proxies and callbacks, typed client only", async () => {
    const r = await usage("shop");
    // The annotations function runs per request: each call saw a new number.
    expect(r["first"]).not.toBe(r["second"]);
    expect(Number(r["second"])).toBe(Number(r["first"]) + 1);
    expect(r["requests"]).toBeGreaterThan(Number(r["second"]));
    expect(r["welcome"]).toEqual({ welcome: "alice" });
    expect(r["whoami"]).toEqual({ session: "alice", request: null });
    expect(r["asBob"]).toEqual({ session: "alice", request: "bob" });
    // The returned Cart is a typed client; passed back as an argument it is its proxy.
    expect([r["count"], r["total"]]).toEqual([2, 5]);
    expect(r["settled"]).toEqual({ values: [5], completed: 1, error: "sold out" });
    expect(r["contents"]).toEqual([["apple", "bread", "cheese"]]);
    expect(r["cartUser"]).toBe("alice");
    expect(r["paid"]).toBe(10);
    // Python called the TypeScript listener, keyword arguments arriving as Kwargs.
    expect(r["receipt"]).toBe("receipt #1");
    expect(r["payments"]).toEqual([{ total: 10, user: "alice", items: 3 }]);
    expect(r["notes"]).toEqual(["see you"]);
    expect(r["steps"]).toEqual([
      { value: "apple", done: false },
      { value: "bread", done: false },
    ]);
    expect(r["paidByAlice"]).toBe(10);
    expect(r["logged"]).toEqual(["hello"]);
    expect(r["aborted"]).toBe("aborted");
    expect(r["missing"]).toEqual({ message: "'nope'", type: "builtins.KeyError", here: true });
    expect(r["objectId"]).toBe("shop");
    expect(r["timeoutMs"]).toBe(5000);
    expect(r["shared"]).toBe(true);
    expect(r["carol"]).toEqual({ session: "carol", request: null });
  }, 60_000);

  it("hostile: every hostile name reaches the method of that exact name", async () => {
    const r = await usage("hostile");
    const returned = r["returned"] as Record<string, unknown>;
    const names = Object.keys(returned);
    expect(names).toHaveLength(17);
    for (const key of names) expect(returned[key]).toBe(key);
    expect(r["viaBatch"]).toBe("new\nline");
    expect(r["attribute"]).toBe("attribute value");
    expect(r["thenable"]).toBe(false);
    expect(r["descriptorMethods"]).toBe(18);
    expect(r["protoIsObject"]).toBe(true);
  }, 60_000);
});
