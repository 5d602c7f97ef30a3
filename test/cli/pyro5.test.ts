/**
 * The generator against real Pyro5 5.16 peers: `pyrogen PYRO:…` and `PYRONAME:…` (through a
 * Pyro5 name server) detect the generation, the banner, the descriptor and the metadata
 * snapshot record it, offline regeneration keeps it, and the module it writes works against
 * the same object on a Pyro5 and on a Pyro4 daemon.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PythonProcesses } from "../harness/python.js";
import { runCli, tempDir } from "./run-cli.js";

const python = new PythonProcesses();
let nsPort = 0;
let uri5 = "";
let uri4 = "";
let tmp: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  tmp = await tempDir();
  nsPort = (await python.startNameServer({ generation: 5 })).port;
  const [five, four] = await Promise.all([
    python.startFixture<{ uri: string }>("musicserver/server.py", ["--ns", `127.0.0.1:${nsPort}`], {
      generation: 5,
    }),
    python.startFixture<{ uri: string }>("musicserver/server.py"),
  ]);
  uri5 = five.info.uri;
  uri4 = four.info.uri;
});
afterAll(async () => {
  await python.stopAll();
  await tmp.remove();
});

describe("pyrogen against Pyro5", { timeout: 90_000 }, () => {
  it("records the generation in banner, descriptor and snapshot; offline gives the same bytes", async () => {
    const live = path.join(tmp.dir, "live.ts");
    const offline = path.join(tmp.dir, "offline.ts");
    const snapshot = path.join(tmp.dir, "music5.json");
    const a = await runCli([uri5, "-n", "Music", "-o", live, "--save-metadata", snapshot]);
    expect(a.code).toBe(0);
    const code = await readFile(live, "utf8");
    expect(code).toContain(`// source: ${JSON.stringify(uri5)} (Pyro5)`);
    expect(code).toContain("protocol: 5,");
    expect(code).toContain('oneway: Object.freeze(["stop"])');
    expect(JSON.parse(await readFile(snapshot, "utf8"))).toMatchObject({ uri: uri5, protocol: 5 });
    const b = await runCli(["--metadata", snapshot, "-n", "Music", "-o", offline]);
    expect(b.code).toBe(0);
    expect(await readFile(offline, "utf8")).toBe(code);
  });

  it("a Pyro4 daemon's module records nothing (Pyro4 is the default)", async () => {
    const r = await runCli([uri4, "-n", "Music"]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("(Pyro5)");
    expect(r.stdout).not.toMatch(/protocol: \d/);
  });

  it("PYRONAME through a Pyro5 name server", async () => {
    const r = await runCli(["PYRONAME:example.musicserver", "-n", "Music"], {
      env: { PYRO_NS_PORT: String(nsPort) },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('// source: "PYRONAME:example.musicserver" (Pyro5)');
    expect(r.stdout).toContain("export function connectMusic(");
  });

  it("the module generated from Pyro5 works against the same object on Pyro5 and Pyro4", async () => {
    const file = path.join(tmp.dir, "music-module.ts");
    expect((await runCli([uri5, "-n", "Music", "-o", file])).code).toBe(0);
    const module = (await import(file)) as {
      connectMusic(uri: string): {
        list_songs(): Promise<unknown>;
        $release(): void;
        $proxy: { $protocol: number | null };
      };
    };
    for (const [uri, generation] of [
      [uri5, 5],
      [uri4, 4],
    ] as const) {
      const music = module.connectMusic(uri);
      try {
        expect(await music.list_songs()).toEqual(expect.arrayContaining(["Wonderwall"]));
        expect(music.$proxy.$protocol).toBe(generation);
      } finally {
        music.$release();
      }
    }
  });
});
