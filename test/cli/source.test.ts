/**
 * `pyrogen --source`: generating from the server's Python code, with and without a daemon,
 * the warnings when the two disagree, `--check` noticing a changed source, the usage errors,
 * config targets with a source, and `inspect --source`.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURES, PythonProcesses } from "../harness/python.js";
import { runCli, tempDir } from "./run-cli.js";

const MUSIC = path.join(FIXTURES, "musicserver", "server.py");
const python = new PythonProcesses();
let tmp: Awaited<ReturnType<typeof tempDir>>;
let uri = "";

beforeAll(async () => {
  tmp = await tempDir();
  uri = (await python.startFixture<{ uri: string }>("musicserver/server.py")).info.uri;
});
afterAll(async () => {
  await python.stopAll();
  await tmp.remove();
});

describe("pyrogen --source", { timeout: 90_000 }, () => {
  it("generates a typed module from the source alone: no daemon, no default URI", async () => {
    const out = path.join(tmp.dir, "offline", "music.ts");
    const r = await runCli(["--source", MUSIC, "--no-infer", "-o", out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `pyrogen: wrote ${out}: 8 methods (1 typed, 2 partly), 2 attributes (untyped)\n`,
    );
    const code = await readFile(out, "utf8");
    expect(code).toContain("// source: Python source only");
    expect(code).toContain("play(song: unknown, loop?: boolean): Promise<unknown>;");
    expect(code).toContain("uri: string | pyrogen.URI,\n");
    expect(code).not.toMatch(/^ {2}uri: "/m);
    expect(code).toContain("/** The remote object as its Python source exposes it: the names");
  });

  it("with a daemon: the daemon's names win, and every disagreement is a warning naming both", async () => {
    // The source differs from the running server: one method more, one less, a oneway mark.
    const changed = (await readFile(MUSIC, "utf8"))
      .replace(
        "    def fail(self, reason):",
        "    def shuffle(self):\n        return 1\n\n    def _fail(self, reason):",
      )
      .replace("    @Pyro4.oneway\n    def stop(self):", "    def stop(self):");
    const source = path.join(tmp.dir, "changed.py");
    await writeFile(source, changed);
    const out = path.join(tmp.dir, "live.ts");
    const r = await runCli([uri, "--source", source, "--no-infer", "-o", out]);
    expect(r.code).toBe(0);
    // (Besides the warning that the fixture daemon's port is random.)
    const warnings = r.stderr
      .split("\n")
      .filter((line) => line.includes("warning") && !line.includes("looks random"));
    expect(warnings).toEqual([
      `pyrogen: warning: ${uri}: the daemon exposes "fail", but the source's changed.MusicServer does not (typed unknown)`,
      `pyrogen: warning: ${uri}: the source's changed.MusicServer exposes "shuffle", but the daemon does not report it (left out)`,
      `pyrogen: warning: ${uri}: "stop" is not oneway in the source's changed.MusicServer but oneway on the daemon (the daemon's mark is used)`,
    ]);
    const code = await readFile(out, "utf8");
    expect(code).toContain("fail(...args: unknown[]): Promise<unknown>;");
    expect(code).not.toContain("shuffle");
    expect(code).toContain('oneway: Object.freeze(["stop"])');
  });

  it("--check reports a module whose source changed since it was generated", async () => {
    const source = path.join(tmp.dir, "checked.py");
    await writeFile(source, await readFile(MUSIC, "utf8"));
    const out = path.join(tmp.dir, "checked.ts");
    expect((await runCli(["--source", source, "--no-infer", "-o", out])).code).toBe(0);
    expect((await runCli(["--source", source, "--no-infer", "-o", out, "--check"])).code).toBe(0);
    await writeFile(
      source,
      (await readFile(source, "utf8")) + "\n# a comment changes nothing but the digest\n",
    );
    const stale = await runCli(["--source", source, "--no-infer", "-o", out, "--check"]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain(`pyrogen: stale: ${out}`);
  });

  it.each([
    [["--class", "X", "PYRO:x@127.0.0.1:1"], /--class needs --source <file-or-folder>/],
    [["--validate", "PYRO:x@127.0.0.1:1"], /--validate needs --source/],
    [["--no-infer", "PYRO:x@127.0.0.1:1"], /--no-infer needs --source/],
    [["--source", "missing.py"], /--source missing\.py: ENOENT; give a Python file or a folder/],
    [
      ["--source", path.join(FIXTURES, "codegen", "zoo", "pyrogen.config.json")],
      /not a Python file/,
    ],
    [
      ["--source", MUSIC, "--class", "Nope"],
      /--class Nope: no such class in the source; classes that expose members: server\.MusicServer/,
    ],
    [
      ["--source", path.join(FIXTURES, "exposure_server.py")],
      /several classes that expose members \(exposure_server\.Base, .*\); choose one with --class/,
    ],
  ] as [string[], RegExp][])("usage error (exit 2): %j", async (args, message) => {
    const r = await runCli(args, { cwd: tmp.dir });
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
  });

  it("reads a config target's source, class and validate fields (paths relative to the file)", async () => {
    const config = path.join(tmp.dir, "pyrogen.config.json");
    await writeFile(
      config,
      JSON.stringify({
        targets: [
          {
            uri: "PYRO:zoo@127.0.0.1:9999",
            source: path.relative(tmp.dir, path.join(FIXTURES, "codegen", "zoo", "server.py")),
            class: "Counter",
            validate: true,
            infer: false,
            out: "counter.ts",
          },
        ],
      }),
    );
    const r = await runCli(["--config", config, "--offline"]);
    expect(r.code).toBe(0);
    const code = await readFile(path.join(tmp.dir, "counter.ts"), "utf8");
    expect(code).toContain('import { z } from "zod";');
    expect(code).toContain("increment(by?: number): Promise<number>;");
    expect(code).toContain('uri: "PYRO:zoo@127.0.0.1:9999"');

    await writeFile(
      config,
      JSON.stringify({ targets: [{ uri: "PYRO:x@h:1", class: "X", out: "x.ts" }] }),
    );
    const bad = await runCli(["--config", config]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('target 1 "PYRO:x@h:1", field "class": needs "source"');
  });
});

describe("pyrogen inspect --source", { timeout: 90_000 }, () => {
  it("shows each member's signature from the source, with or without a daemon", async () => {
    const offline = await runCli(["inspect", "--source", MUSIC, "--no-infer"]);
    expect(offline.code).toBe(0);
    const lines = offline.stdout.split("\n");
    expect(lines[0]).toBe("server.MusicServer (from the source)");
    expect(lines).toContainEqual(
      expect.stringMatching(/^play +method +\(song: unknown, loop\?: boolean\) => unknown$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^status +attribute \(read-only\) +unknown$/),
    );

    const live = await runCli(["inspect", uri, "--source", MUSIC, "--json"]);
    expect(live.code).toBe(0);
    const json = JSON.parse(live.stdout) as { uri: string; signatures: Record<string, string> };
    expect(json.uri).toBe(uri);
    expect(json.signatures["list_songs"]).toBe("() => string[]");
    expect(json.signatures["stop"]).toBe("() => void");
  }, 60_000);

  it("needs a URI or a source", async () => {
    const r = await runCli(["inspect"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("inspect needs a URI, or --source to read the names from");
  });
});
