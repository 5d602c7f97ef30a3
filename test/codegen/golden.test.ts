/**
 * Golden fixture folders `fixtures/codegen/<case>/`: a Python server, its metadata snapshot,
 * the options (a pyrogen config file) and the expected module. Each case is regenerated and
 * compared byte for byte, its snapshot is compared with what the live daemon reports, the
 * expected module is compiled with `tsc --strict`, and a program using it runs against the
 * live daemon.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateModule } from "../../src/codegen/generate.js";
import { loadConfigFile } from "../../src/cli/config-file.js";
import { fetchMetadata } from "../../src/cli/fetch-metadata.js";
import { readSnapshot } from "../../src/cli/snapshot-file.js";
import { typeNameFor } from "../../src/codegen/names.js";
import { FIXTURES, PythonProcesses, ROOT } from "../harness/python.js";

const run = promisify(execFile);
const CASES = ["music", "hostile"] as const;
type CaseName = (typeof CASES)[number];

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

async function caseTarget(name: CaseName) {
  const { config } = await loadConfigFile(
    path.join(FIXTURES, "codegen", name, "pyrogen.config.json"),
  );
  return config.targets[0]!;
}

describe.each(CASES)("golden case %s", { timeout: 60_000 }, (name) => {
  it("regenerates byte-identical from its snapshot and options", async () => {
    const target = await caseTarget(name);
    const snapshot = await readSnapshot(target.metadata!);
    const uri = target.uri ?? snapshot.uri;
    const options = { typeName: target.name ?? typeNameFor(uri), uri, types: target.types };
    const first = await generateModule(snapshot.metadata, options);
    const second = await generateModule(snapshot.metadata, options);
    expect(second.code).toBe(first.code);
    expect(first.code).toBe(await readFile(target.out, "utf8"));
  });

  it("has a snapshot that matches what the live daemon reports", async () => {
    const target = await caseTarget(name);
    const snapshot = await readSnapshot(target.metadata!);
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
