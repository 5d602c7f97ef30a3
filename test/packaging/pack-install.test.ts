/**
 * The two packages as users get them. A fresh checkout (this working tree's files without
 * build output) packs both — `prepare`/`prepack` build them — and a throwaway consumer
 * project installs the tarballs offline (npm cache only): `npx pyrogen` generates a client
 * from a live daemon, strict `tsc` (`skipLibCheck: false`) compiles it as an ES module and
 * as CommonJS, and both programs run against the daemon. An application that uses a
 * generated client installs the runtime alone: one package, no dependencies, under 1 MB.
 */
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PythonProcesses, ROOT } from "../harness/python.js";
import {
  consumerLockfile,
  installedPackages,
  npm,
  packAll,
  readJson,
  treeSize,
  type Manifest,
  type PackedPackage,
} from "./npm-project.js";

const execFileAsync = promisify(execFile);
const python = new PythonProcesses();

/**
 * The strictest settings a consumer may use, our typings checked too. One program compiles
 * both projects: each file is an ES module or CommonJS by its folder's package.json "type",
 * and its JavaScript lands beside it (so Node reads it the same way).
 */
const STRICT_TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "nodenext",
    strict: true,
    skipLibCheck: false,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    noImplicitOverride: true,
    noImplicitReturns: true,
    noPropertyAccessFromIndexSignature: true,
    noFallthroughCasesInSwitch: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    isolatedModules: true,
  },
  include: ["module", "commonjs"],
};

const TYPES = ["module", "commonjs"] as const;

/** A program using the generated client; no top-level await, so it is valid CommonJS too. */
const MAIN = `import { PyroError } from "@pyrogen/runtime";
import { connectMusicServer } from "./music.js";

async function main(): Promise<void> {
  const music = connectMusicServer(process.argv[2]);
  try {
    const songs = await music.list_songs();
    const played = await music.play("Zombie");
    const failure = await music.fail("on purpose").catch((error: unknown) => error);
    const remoteType = failure instanceof PyroError ? failure.remote?.type : "not a PyroError";
    console.log(JSON.stringify({ songs, played, remoteType }));
  } finally {
    music.$release();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
`;

let tmp = "";
let packed: PackedPackage[] = [];
let musicUri = "";
const consumer = () => path.join(tmp, "consumer");
const app = () => path.join(tmp, "app");
const tarball = (name: string): PackedPackage => {
  const found = packed.find((p) => p.name === name);
  if (found === undefined) throw new Error(`${name} was not packed`);
  return found;
};

/** The files a fresh checkout has: tracked and not-ignored ones, no build output. */
async function freshCheckout(into: string): Promise<void> {
  const { stdout } = await execFileAsync(
    "git",
    ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  for (const file of stdout.split("\0").filter(Boolean)) {
    await cp(path.join(ROOT, file), path.join(into, file), { force: true }).catch(
      (error: NodeJS.ErrnoException) => {
        // Deleted in the working tree but not yet committed: a fresh checkout lacks it too.
        if (error.code !== "ENOENT") throw error;
      },
    );
  }
  // The packages `npm ci` would install: this repository's.
  await symlink(path.join(ROOT, "node_modules"), path.join(into, "node_modules"), "dir");
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), "pyrogen-pack-"));
  const checkout = path.join(tmp, "checkout");
  await freshCheckout(checkout);
  const music = python.startFixture<{ uri: string }>("musicserver/server.py");
  packed = await packAll(checkout, tmp);

  // The consumer: both tarballs, and TypeScript with Node's types to compile with.
  await mkdir(path.join(consumer(), "src"), { recursive: true });
  const repoLock = await readJson<Parameters<typeof consumerLockfile>[0]>(
    path.join(ROOT, "package-lock.json"),
  );
  const { manifest, lockfile } = consumerLockfile(
    repoLock,
    consumer(),
    [tarball("@pyrogen/runtime"), tarball("pyrogen")],
    ["typescript", "@types/node"],
  );
  await writeFile(path.join(consumer(), "package.json"), JSON.stringify(manifest, null, 2));
  await writeFile(path.join(consumer(), "package-lock.json"), JSON.stringify(lockfile, null, 2));
  await npm(["ci", "--ignore-scripts"], consumer());

  // The application: the runtime alone, as `npm install` puts it.
  await mkdir(app());
  await writeFile(path.join(app(), "package.json"), '{ "name": "app", "private": true }\n');
  await npm(["install", tarball("@pyrogen/runtime").file], app());

  musicUri = (await music).info.uri;
}, 180_000);

afterAll(async () => {
  await python.stopAll();
  if (tmp !== "") await rm(tmp, { recursive: true, force: true });
});

describe("npm pack on a fresh checkout", { timeout: 120_000 }, () => {
  it("builds the CLI package: the CLI and generator, no runtime copy, no maps or typings", () => {
    const { files } = tarball("pyrogen");
    expect(files).toEqual(
      expect.arrayContaining([
        "LICENSE",
        "README.md",
        "package.json",
        "bin/pyrogen.js",
        "dist/cli/main.js",
        "dist/codegen/generate.js",
        "templates/client.ts",
      ]),
    );
    expect(files.filter((f) => f.startsWith("dist/runtime") || /\.(map|d\.ts)$/.test(f))).toEqual(
      [],
    );
  });

  it("builds the runtime package: ESM, CommonJS and typings, no maps", () => {
    const { files, manifest } = tarball("@pyrogen/runtime");
    expect(files).toEqual(
      expect.arrayContaining([
        "LICENSE",
        "README.md",
        "package.json",
        "dist/index.mjs",
        "dist/index.cjs",
        "dist/index.d.mts",
        "dist/types/index.d.ts",
      ]),
    );
    expect(files.filter((f) => f.endsWith(".map"))).toEqual([]);
    expect(manifest.dependencies).toBeUndefined();
  });

  it("makes the CLI depend on the runtime of the same version, and both name the repository", async () => {
    const cli = tarball("pyrogen").manifest;
    const runtime = tarball("@pyrogen/runtime").manifest;
    expect(cli.dependencies?.["@pyrogen/runtime"]).toBe(runtime.version);
    const repository = (m: Manifest) => (m as { repository?: { url?: string } }).repository?.url;
    expect(repository(cli)).toMatch(/^git\+https:\/\//);
    expect(repository(runtime)).toBe(repository(cli));
    expect(await readFile(path.join(ROOT, "LICENSE"), "utf8")).toMatch(/^MIT License/);
  });
});

describe("an application that uses a generated client", { timeout: 120_000 }, () => {
  it("installs one package with no dependencies, well under 1 MB", async () => {
    expect(await installedPackages(app())).toEqual(["@pyrogen/runtime"]);
    const installed = path.join(app(), "node_modules", "@pyrogen", "runtime");
    const manifest = await readJson<Manifest>(path.join(installed, "package.json"));
    expect(manifest.dependencies).toBeUndefined();
    const size = await treeSize(installed);
    expect(size).toBeGreaterThan(100_000); // the runtime really is in it
    // Two bundles (import, require) and one set of typings, for two entries: about 0.8 MB.
    expect(size).toBeLessThan(900_000);
  });
});

describe("a consumer project with the packed packages", { timeout: 120_000 }, () => {
  it("runs `npx pyrogen` from the installed CLI against a live daemon", async () => {
    const out = await npm(
      ["exec", "--", "pyrogen", musicUri, "-n", "MusicServer", "-o", "src/music.ts", "-q"],
      consumer(),
    );
    expect(out).toBe("");
    const module = await readFile(path.join(consumer(), "src", "music.ts"), "utf8");
    expect(module).toMatch(/^\/\/ @generated by pyrogen /);
    expect(module).toContain('import * as pyrogen from "@pyrogen/runtime";');
  });

  it("compiles it with strict tsc (skipLibCheck: false) as ES module and as CommonJS", async () => {
    for (const type of TYPES) {
      const project = path.join(consumer(), type);
      await mkdir(project, { recursive: true });
      await writeFile(path.join(project, "package.json"), JSON.stringify({ type }));
      await writeFile(path.join(project, "main.ts"), MAIN);
      await cp(path.join(consumer(), "src", "music.ts"), path.join(project, "music.ts"));
    }
    await writeFile(path.join(consumer(), "tsconfig.json"), JSON.stringify(STRICT_TSCONFIG));
    const tsc = path.join(consumer(), "node_modules", "typescript", "bin", "tsc");
    const compiled = await execFileAsync(process.execPath, [tsc, "-p", consumer()], {
      encoding: "utf8",
    }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? "tsc failed" }));
    expect(compiled.stdout).toBe("");
    expect(await readFile(path.join(consumer(), "module", "music.js"), "utf8")).toContain(
      'from "@pyrogen/runtime"',
    );
    expect(await readFile(path.join(consumer(), "commonjs", "music.js"), "utf8")).toContain(
      'require("@pyrogen/runtime")',
    );
  }, 120_000);

  it.each(TYPES)('runs the compiled "type": "%s" program against the daemon', async (type) => {
    const { stdout } = await execFileAsync(process.execPath, ["main.js", musicUri], {
      cwd: path.join(consumer(), type),
      encoding: "utf8",
    });
    expect(JSON.parse(stdout)).toEqual({
      songs: ["Smells Like Teen Spirit", "Wonderwall", "Zombie", "Creep"],
      played: "playing Zombie",
      remoteType: "__main__.PlaybackError",
    });
  });
});
