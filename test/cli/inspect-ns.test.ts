/**
 * `pyrogen inspect`, `pyrogen ns list` and PYRONAME generation against a real Pyro4 name
 * server on 127.0.0.1, plus the "no name server" error.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, PythonProcesses } from "../harness/python.js";
import { runCli, tempDir } from "./run-cli.js";

const python = new PythonProcesses();
let nsPort = 0;
let uri = "";

beforeAll(async () => {
  nsPort = (await python.startNameServer()).port;
  const music = await python.startFixture<{ uri: string }>("musicserver/server.py", [
    "--ns",
    `127.0.0.1:${nsPort}`,
  ]);
  uri = music.info.uri;
});
afterAll(() => python.stopAll());

describe("pyrogen inspect", () => {
  it("shows methods, oneway methods and attributes as a table", async () => {
    const r = await runCli(["inspect", uri]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe(uri);
    expect(lines).toContain("stop          method (oneway)");
    expect(lines).toContain("volume        attribute");
    expect(lines).toContain("play          method");
  });

  it("prints JSON with --json, resolving PYRONAME through --ns-host/--ns-port", async () => {
    const r = await runCli([
      "inspect",
      "PYRONAME:example.musicserver",
      "--json",
      "--ns-host",
      "127.0.0.1",
      "--ns-port",
      String(nsPort),
      "--no-broadcast",
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      uri: "PYRONAME:example.musicserver",
      methods: [
        "current_song",
        "enqueue",
        "fail",
        "list_songs",
        "play",
        "songs",
        "stop",
        "stop_count",
      ],
      oneway: ["stop"],
      attrs: ["status", "volume"],
    });
  });
});

describe("pyrogen ns list", () => {
  it("lists registrations with their metadata tags, filtered by prefix", async () => {
    const env = { PYRO_NS_PORT: String(nsPort) };
    const all = await runCli(["ns", "list"], { env });
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/^name\s+uri\s+metadata\n/);
    expect(all.stdout).toContain("Pyro.NameServer");
    expect(all.stdout).toMatch(new RegExp(`example\\.musicserver\\s+${uri}\\s+example, music`));
    const json = await runCli(["ns", "list", "example.", "--json"], { env });
    expect(JSON.parse(json.stdout)).toEqual({
      "example.musicserver": { uri, metadata: ["example", "music"] },
    });
  });
});

describe("PYRONAME generation and name-server errors", { timeout: 90_000 }, () => {
  it("generates from PYRONAME with the name server given by PYRO_* variables", async () => {
    const r = await runCli(["PYRONAME:example.musicserver", "-n", "MusicServer"], {
      env: { PYRO_NS_PORT: String(nsPort) },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('uri: "PYRONAME:example.musicserver"');
    expect(r.stdout).toContain("export function connectMusicServer(");
  });

  it("resolves PYROMETA tags, and a live config run refreshes the target's snapshot", async () => {
    const env = { PYRO_NS_PORT: String(nsPort) };
    const meta = await runCli(["inspect", "PYROMETA:music", "--json"], { env });
    expect(meta.code).toBe(0);
    expect(JSON.parse(meta.stdout)).toMatchObject({ uri: "PYROMETA:music", oneway: ["stop"] });

    const tmp = await tempDir();
    try {
      const config = path.join(tmp.dir, "pyrogen.config.json");
      await writeFile(
        config,
        JSON.stringify({
          targets: [
            { uri: "PYRONAME:example.musicserver", metadata: "snap.json", out: "music.ts" },
          ],
        }),
      );
      const r = await runCli(["--config", config], { env });
      expect(r).toMatchObject({ code: 0, stdout: "" });
      const snapshot = JSON.parse(await readFile(path.join(tmp.dir, "snap.json"), "utf8")) as {
        uri: string;
        metadata: { attrs: string[] };
      };
      expect(snapshot).toMatchObject({
        uri: "PYRONAME:example.musicserver",
        metadata: { attrs: ["status", "volume"] },
      });
      expect(await readFile(path.join(tmp.dir, "music.ts"), "utf8")).toContain(
        "export function connectExampleMusicserver(",
      );
      const offline = await runCli(["--config", config, "--offline", "--check"], {
        env: { PYRO_NS_PORT: "1" },
      });
      expect(offline.code).toBe(0);
    } finally {
      await tmp.remove();
    }
  });

  it("says what was tried and which flag or variable sets the name server (exit 3)", async () => {
    const closed = await freePort();
    const r = await runCli([
      "PYRONAME:example.musicserver",
      "--ns-port",
      String(closed),
      "--no-broadcast",
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("cannot get metadata from PYRONAME:example.musicserver");
    expect(r.stderr).toContain(`127.0.0.1:${closed}`);
    expect(r.stderr).toContain("--ns-host/--ns-port (or PYRO_NS_HOST/PYRO_NS_PORT)");
    const unknown = await runCli(["PYRONAME:no.such.name", "--ns-port", String(nsPort)]);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain("unknown name: no.such.name");
  });
});

describe("connection options", () => {
  it("talks to an HMAC daemon with --hmac-key and says which flag is missing without it", async () => {
    const { info } = await python.startFixture<{ uri: string; empty: string }>("proxy_server.py", [
      "--hmac",
      "s3cret",
    ]);
    const ok = await runCli(["inspect", info.uri, "--hmac-key", "s3cret", "--serializer", "json"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^echo\s+method$/m);
    const missing = await runCli(["inspect", info.uri]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain("hint: pass the daemon's HMAC key with --hmac-key");
    const empty = await runCli(["inspect", info.empty, "--hmac-key", "s3cret"]);
    expect(empty.code).toBe(3);
    expect(empty.stderr).toContain("doesn't expose any methods or attributes");
  });
});
