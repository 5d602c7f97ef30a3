/**
 * The docs' TypeScript examples are real code: every ```ts block of README.md and docs/*.md
 * (except blocks marked `// fragment`) type-checks under `--strict` against the runtime and
 * the golden music client, the README's main usage example runs end to end against the
 * bundled music server found through a real Pyro4 name server, and every CLI flag the docs
 * name exists.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configFileSchema } from "../../src/cli/config-file.js";
import { runCli } from "../cli/run-cli.js";
import { PythonProcesses, ROOT } from "../harness/python.js";
import { documentationFiles, codeBlocks, type CodeBlock } from "./code-blocks.js";
import { MUSIC_CLIENT, RUNTIME_ENTRY, typeCheckSnippets } from "./type-check.js";

const run = promisify(execFile);
const ALL_SONGS = ["Smells Like Teen Spirit", "Wonderwall", "Zombie", "Creep"];

const blocks: CodeBlock[] = documentationFiles().flatMap((file) => codeBlocks(file));
const checked = blocks.filter((block) => !block.fragment);
const where = (block: CodeBlock): string => `${block.file}:${block.line}`;

describe("documentation examples", () => {
  let diagnostics = new Map<string, string>();
  beforeAll(() => {
    diagnostics = typeCheckSnippets(new Map(checked.map((block) => [where(block), block.code])));
  }, 60_000);

  it("exist in the README and the docs", () => {
    expect(checked.filter((block) => block.file === "README.md").length).toBeGreaterThanOrEqual(2);
    expect(checked.length).toBeGreaterThanOrEqual(6);
  });

  it.each(checked.map((block) => [where(block), block] as const))(
    "%s type-checks under --strict",
    (name) => {
      expect(diagnostics.get(name)).toBe("");
    },
  );
});

/** The README's main usage example: its first block that imports the generated client. */
function mainReadmeExample(): CodeBlock {
  const block = blocks.find((b) => b.file === "README.md" && b.code.includes('"./music.js"'));
  if (block === undefined) throw new Error("README.md has no example that imports ./music.js");
  return block;
}

/** The same source with `@pyrogen/runtime` pointing at the runtime's source. */
function withRuntimeSource(code: string): string {
  return code.replaceAll('"@pyrogen/runtime"', JSON.stringify(pathToFileURL(RUNTIME_ENTRY).href));
}

describe("the README's main usage example", () => {
  const python = new PythonProcesses();
  let nsPort = 0;
  let dir = "";

  beforeAll(async () => {
    const ns = await python.startNameServer();
    nsPort = ns.port;
    await python.startFixture("musicserver/server.py", [
      "--port",
      "0",
      "--ns",
      `127.0.0.1:${nsPort}`,
    ]);
    dir = await mkdtemp(path.join(tmpdir(), "pyrogen-readme-"));
  });
  afterAll(async () => {
    await python.stopAll();
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });

  it("runs against the bundled music server found through the name server", async () => {
    const example = mainReadmeExample();
    // Report what the example computed, after what it prints itself.
    const report = "\nconsole.log(JSON.stringify({ a, b, volume, songs }));\n";
    await writeFile(path.join(dir, "package.json"), '{ "type": "module" }\n'); // ESM: top-level await
    await writeFile(
      path.join(dir, "music.ts"),
      withRuntimeSource(await readFile(MUSIC_CLIENT, "utf8")),
    );
    await writeFile(path.join(dir, "example.ts"), withRuntimeSource(example.code) + report);
    const { stdout } = await run(
      process.execPath,
      ["--import", "tsx", path.join(dir, "example.ts")],
      {
        cwd: ROOT,
        timeout: 45_000, // a program that never exits (a connection left open) fails here
        env: { ...process.env, PYRO_NS_HOST: "127.0.0.1", PYRO_NS_PORT: String(nsPort) },
      },
    );
    const lines = stdout.trimEnd().split("\n");
    // The example's own output: the streamed songs, one per line.
    expect(lines.slice(0, -1)).toEqual(ALL_SONGS);
    expect(JSON.parse(lines.at(-1)!)).toEqual({
      a: "playing Zombie",
      b: "Zombie",
      volume: 5,
      songs: ALL_SONGS,
    });
  }, 60_000);
});

describe("CLI flags named in the docs", () => {
  it("all exist in the CLI's help", async () => {
    const helps = await Promise.all(
      [["--help"], ["inspect", "--help"], ["ns", "list", "--help"]].map((args) => runCli(args)),
    );
    const known = new Set(helps.flatMap((help) => help.stdout.match(/--[a-z][a-z-]*/g) ?? []));
    const named = new Set<string>();
    for (const file of ["README.md", "docs/cli.md", "docs/config.md"]) {
      const text = await readFile(path.join(ROOT, file), "utf8");
      for (const flag of text.match(/(?<![\w-])--[a-z][a-z-]*/g) ?? []) named.add(flag);
    }
    expect(named.size).toBeGreaterThan(10);
    expect([...named].filter((flag) => !known.has(flag))).toEqual([]);
  }, 60_000);
});

describe("the config file example in docs/config.md", () => {
  it("is valid for the config file schema", () => {
    const examples = codeBlocks("docs/config.md", ["json"]);
    expect(examples).toHaveLength(1);
    const parsed = configFileSchema.safeParse(JSON.parse(examples[0]!.code));
    expect(parsed.error?.issues ?? []).toEqual([]);
  });
});
