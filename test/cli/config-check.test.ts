/**
 * Build-step use: a config file with several targets (offline from snapshots), its
 * validation errors (file, target, field), `--check` and byte-identical output.
 */
import { copyFile, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURES } from "../harness/python.js";
import { runCli, tempDir } from "./run-cli.js";

let tmp: Awaited<ReturnType<typeof tempDir>>;
let configFile = "";

beforeAll(async () => {
  tmp = await tempDir();
  await copyFile(
    path.join(FIXTURES, "codegen", "music", "metadata.json"),
    path.join(tmp.dir, "music.json"),
  );
  await copyFile(
    path.join(FIXTURES, "codegen", "hostile", "metadata.json"),
    path.join(tmp.dir, "hostile.json"),
  );
  configFile = path.join(tmp.dir, "pyrogen.config.json");
  await writeFile(
    configFile,
    JSON.stringify({
      defaults: { serializer: "json", timeoutMs: 5000 },
      targets: [
        {
          name: "Music",
          uri: "PYRONAME:example.musicserver",
          metadata: "music.json",
          out: "src/gen/music.ts",
          types: {
            methods: { play: { params: [{ name: "song", type: "string" }], returns: "string" } },
          },
        },
        { name: "Hostile", metadata: "hostile.json", out: "src/gen/hostile.ts" },
      ],
    }),
  );
});
afterAll(() => tmp.remove());

const out = (name: string) => path.join(tmp.dir, "src", "gen", name);

describe("config file", { timeout: 90_000 }, () => {
  it("generates every target offline, quietly (not a terminal), byte-identical on a rerun", async () => {
    const first = await runCli(["--config", configFile, "--offline"]);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe("");
    // The warnings about names that cannot be members and one summary line per module; no
    // progress lines off a terminal.
    expect(first.stderr.split("\n").filter((l) => l !== "" && !l.includes("warning"))).toEqual([
      `pyrogen: wrote ${out("music.ts")}: 8 methods (1 typed, 1 partly), 2 attributes (untyped)`,
      `pyrogen: wrote ${out("hostile.ts")}: 15 methods (1 partly), 1 attribute (untyped)`,
    ]);
    const music = await readFile(out("music.ts"), "utf8");
    expect(music).toContain('uri: "PYRONAME:example.musicserver"');
    expect(music).toContain("play(song: string): Promise<string>;");
    const hostile = await readFile(out("hostile.ts"), "utf8");
    const again = await runCli(["--config", configFile, "--offline", "--target", "Hostile"]);
    expect(again.code).toBe(0);
    expect(await readFile(out("hostile.ts"), "utf8")).toBe(hostile);
  });

  it("--check exits 0 when up to date and 1 naming each stale or missing file", async () => {
    expect((await runCli(["--config", configFile, "--offline"])).code).toBe(0);
    const fresh = await runCli(["--config", configFile, "--offline", "--check"]);
    expect(fresh).toMatchObject({ code: 0, stdout: "" });
    expect(fresh.stderr).toContain("2 file(s) up to date");

    await writeFile(out("music.ts"), (await readFile(out("music.ts"), "utf8")) + "// edited\n");
    await rm(out("hostile.ts"));
    const stale = await runCli(["--config", configFile, "--offline", "--check"]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain(`pyrogen: stale: ${out("music.ts")}`);
    expect(stale.stderr).toContain(`pyrogen: stale: ${out("hostile.ts")}`);
    expect(stale.stderr).toContain("2 of 2 generated file(s) out of date");
    // --check never writes.
    expect(await readFile(out("music.ts"), "utf8")).toContain("// edited");
  });

  it("names the file, the target and the field of each invalid entry (exit 2)", async () => {
    const bad = path.join(tmp.dir, "bad.config.json");
    await writeFile(
      bad,
      JSON.stringify({
        targets: [
          { name: "Ok", metadata: "music.json", out: "a.ts" },
          {
            name: "Broken",
            uri: "PYRONAME:x",
            out: "b.ts",
            serializer: "pickle",
            types: { methods: { play: { returns: "string; process.exit(1)" } } },
          },
          { name: "lowercase", metadata: "music.json", out: "c.ts", extra: 1 },
        ],
      }),
    );
    const r = await runCli(["--config", bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}: target 2 "Broken", field "serializer"`);
    expect(r.stderr).toContain(
      `${bad}: target 2 "Broken", field "types.methods.play.returns": must be exactly one TypeScript type`,
    );
    expect(r.stderr).toContain(`${bad}: target 3 "lowercase", field "name"`);
    expect(r.stderr).toContain(`${bad}: target 3 "lowercase"`);
    expect(r.stderr).toContain('"extra"');
  });

  it("reports unreadable or malformed config files and unknown targets", async () => {
    const missing = await runCli(["--config", path.join(tmp.dir, "nope.json")]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain("cannot read config file");
    const notJson = path.join(tmp.dir, "broken.json");
    await writeFile(notJson, "{ targets: ");
    const syntax = await runCli(["--config", notJson]);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toContain(
      `${notJson}:1:3: not valid JSON (expected a property name in double quotes, found "t")`,
    );
    const unknown = await runCli(["--config", configFile, "--offline", "-t", "Nope"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      'no target named "Nope"; targets: target 1 "Music", target 2 "Hostile"',
    );
  });
});
