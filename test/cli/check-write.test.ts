/**
 * What `pyrogen` leaves on disk: `--check` never writes and reports a snapshot the live
 * daemon contradicts as stale; writes are atomic (a full disk leaves the previous module
 * whole); two jobs on one path are refused before anything is written; file errors say
 * what the errno means and where the path came from; config files may start with a BOM.
 */
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { explainFileError } from "../../src/cli/write-file.js";
import { FIXTURES, PythonProcesses } from "../harness/python.js";
import { fullDisk } from "./full-disk.js";
import { runCli, tempDir } from "./run-cli.js";

const python = new PythonProcesses();
let uri = "";
let tmp: Awaited<ReturnType<typeof tempDir>>;
const MUSIC_SNAPSHOT = path.join(FIXTURES, "codegen", "music", "metadata.json");

beforeAll(async () => {
  tmp = await tempDir();
  uri = (await python.startFixture<{ uri: string }>("musicserver/server.py")).info.uri;
});
afterAll(async () => {
  await python.stopAll();
  await tmp.remove();
});

/** A fresh folder inside the test's temporary folder. */
async function folder(name: string): Promise<string> {
  const dir = path.join(tmp.dir, name);
  await mkdir(dir, { recursive: true });
  return dir;
}

describe("--check", { timeout: 90_000 }, () => {
  it("against a live daemon: a snapshot it contradicts is stale, and nothing is written", async () => {
    const dir = await folder("live-check");
    const config = path.join(dir, "pyrogen.config.json");
    await writeFile(
      config,
      JSON.stringify({
        targets: [{ name: "Music", uri, metadata: "music.json", out: "music.ts" }],
      }),
    );
    expect((await runCli(["--config", config])).code).toBe(0);
    const fresh = await runCli(["--config", config, "--check"]);
    expect(fresh.code).toBe(0);
    expect(fresh.stderr).toContain("2 file(s) up to date");

    // A method the daemon does not have: the snapshot no longer says what the daemon does.
    const snapshotFile = path.join(dir, "music.json");
    const snapshot = JSON.parse(await readFile(snapshotFile, "utf8")) as {
      metadata: { methods: string[] };
    };
    snapshot.metadata.methods.push("fake_method");
    const edited = `${JSON.stringify(snapshot, null, 2)}\n`;
    await writeFile(snapshotFile, edited);
    const module = await readFile(path.join(dir, "music.ts"), "utf8");

    const r = await runCli(["--config", config, "--check"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `pyrogen: stale: ${snapshotFile} (the daemon reports other metadata now)`,
    );
    expect(r.stderr).toContain("1 of 2 generated file(s) out of date");
    expect(await readFile(snapshotFile, "utf8")).toBe(edited);
    expect(await readFile(path.join(dir, "music.ts"), "utf8")).toBe(module);
  });

  it("with --save-metadata compares the snapshot and does not write it", async () => {
    const dir = await folder("save-check");
    const out = path.join(dir, "music.ts");
    const saved = path.join(dir, "music.json");
    expect((await runCli([uri, "-n", "Music", "-o", out])).code).toBe(0);
    const r = await runCli([uri, "-n", "Music", "-o", out, "--save-metadata", saved, "--check"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`pyrogen: stale: ${saved}`);
    await expect(stat(saved)).rejects.toThrow(/ENOENT/);
  });
});

describe("writes", { timeout: 90_000 }, () => {
  it("on a full disk leave the previous module as it was, and no temporary file", async () => {
    // A module of many pages replacing a small one: overwriting in place frees less than it
    // needs, so it would fail halfway through.
    const snapshot = path.join(await folder("big"), "big.json");
    const methods = Array.from({ length: 400 }, (_, i) => `method_${i}`);
    const big = { format: "pyrogen-metadata/1", uri: "PYRO:big@127.0.0.1:9999" };
    await writeFile(
      snapshot,
      JSON.stringify({ ...big, metadata: { methods, oneway: [], attrs: [] } }),
    );
    const disk = await fullDisk();
    try {
      const previous = "// the previous, good module\n";
      await disk.prepare({ "big.ts": previous });
      const out = path.join(disk.dir, "big.ts");
      const r = await runCli(["--metadata", snapshot, "-n", "Big", "-o", out], {
        nodeArgs: disk.nodeArgs,
        env: disk.env,
      });
      expect(r.code).toBe(4);
      expect(r.stderr).toContain(
        `cannot write module ${out} (path from -o): the disk is full (ENOSPC); the previous file, if any, is unchanged`,
      );
      expect(await readFile(out, "utf8")).toBe(previous);
      expect((await readdir(disk.dir)).filter((name) => name.endsWith(".tmp"))).toEqual([]);
    } finally {
      await disk.release();
    }
  });

  it("replace a module whole, keeping its permissions, and say what was written", async () => {
    const dir = await folder("replace");
    const out = path.join(dir, "music.ts");
    await writeFile(out, "// old\n", { mode: 0o640 });
    const first = await runCli(["--metadata", MUSIC_SNAPSHOT, "-n", "Music", "-o", out]);
    expect(first.stderr).toBe(
      `pyrogen: wrote ${out}: 8 methods (1 partly), 2 attributes (untyped)\n`,
    );
    expect((await stat(out)).mode & 0o777).toBe(0o640);
    expect(await readFile(out, "utf8")).toMatch(/^\/\/ @generated by pyrogen/);
    const again = await runCli(["--metadata", MUSIC_SNAPSHOT, "-n", "Music", "-o", out]);
    expect(again.stderr).toBe(
      `pyrogen: unchanged ${out}: 8 methods (1 partly), 2 attributes (untyped)\n`,
    );
    const quiet = await runCli(["--metadata", MUSIC_SNAPSHOT, "-n", "Music", "-o", out, "-q"]);
    expect(quiet).toMatchObject({ code: 0, stdout: "", stderr: "" });
    expect((await readdir(dir)).sort()).toEqual(["music.ts"]);
  });

  it("refuse two objects, or two config targets, on one file before writing anything", async () => {
    const dir = await folder("same-out");
    const both = await runCli([uri, uri, "-o", `${dir}/`]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain(`would both write ${path.join(dir, "example-musicserver.ts")}`);
    expect(await readdir(dir)).toEqual([]);

    const config = path.join(dir, "pyrogen.config.json");
    await writeFile(
      config,
      JSON.stringify({
        targets: [
          { name: "A", metadata: MUSIC_SNAPSHOT, out: "same.ts" },
          { name: "B", metadata: MUSIC_SNAPSHOT, out: "./same.ts" },
        ],
      }),
    );
    const targets = await runCli(["--config", config, "--offline"]);
    expect(targets.code).toBe(2);
    expect(targets.stderr).toContain(
      `${config}: target 1 "A" and target 2 "B" both write "out" "./same.ts"`,
    );
    expect(await readdir(dir)).toEqual(["pyrogen.config.json"]);
  });
});

describe("file errors", { timeout: 90_000 }, () => {
  it("say which part of an -o path is a file (EEXIST), and which config field gave it", async () => {
    const dir = await folder("through-a-file");
    await writeFile(path.join(dir, "package.json"), "{}\n");
    const flag = await runCli(
      ["--metadata", MUSIC_SNAPSHOT, "-n", "Music", "-o", "package.json/x.ts"],
      {
        cwd: dir,
      },
    );
    expect(flag.code).toBe(4);
    expect(flag.stderr).toContain(
      "cannot write module package.json/x.ts (path from -o): package.json is a file, so it cannot be a folder on the path (EEXIST)",
    );

    const config = path.join(dir, "pyrogen.config.json");
    await writeFile(
      config,
      JSON.stringify({
        targets: [{ name: "Music", metadata: MUSIC_SNAPSHOT, out: "package.json/x.ts" }],
      }),
    );
    const fromConfig = await runCli(["--config", config, "--offline"], { cwd: dir });
    expect(fromConfig.code).toBe(4);
    expect(fromConfig.stderr).toContain(
      `(path from ${config}: target 1 "Music", field "out"): package.json is a file`,
    );
  });

  it("explain the errnos of a full or read-only disk", async () => {
    const error = (code: string) => Object.assign(new Error(code), { code });
    expect(await explainFileError("/x/y.ts", error("ENOSPC"))).toBe("the disk is full (ENOSPC)");
    expect(await explainFileError("/x/y.ts", error("EROFS"))).toBe(
      "the file system is read-only (EROFS)",
    );
    expect(await explainFileError("/x/y.ts", error("EACCES"))).toBe("permission denied (EACCES)");
    expect(await explainFileError("/x/y.ts", error("EWHATEVER"))).toBe("EWHATEVER");
  });
});

describe("config files", { timeout: 90_000 }, () => {
  it("may start with a UTF-8 byte order mark", async () => {
    const dir = await folder("bom");
    const config = path.join(dir, "pyrogen.config.json");
    const json = JSON.stringify({ targets: [{ metadata: MUSIC_SNAPSHOT, out: "music.ts" }] });
    await writeFile(config, `\uFEFF${json}`);
    const r = await runCli(["--config", config, "--offline", "-q"]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(await readFile(path.join(dir, "music.ts"), "utf8")).toContain("@generated by pyrogen");
  });
});
