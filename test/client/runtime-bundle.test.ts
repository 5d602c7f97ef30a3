/**
 * What `@pyrogen/runtime` resolves to for users: the package in packages/runtime, whose two
 * bundled files (`npm run build` writes them from tsc's output) serve `import` (ES module)
 * and `require` (CommonJS). Each imports nothing but Node's builtins, exports what
 * `src/runtime/index.ts` exports, and works against a real Pyro4 daemon — calls, remote
 * errors and a TypeScript daemon's tracebacks (whose own frames it leaves out) included.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as source from "../../src/runtime/index.js";
import { PythonProcesses, ROOT, freePort } from "../harness/python.js";

const execFileAsync = promisify(execFile);
const python = new PythonProcesses();
afterAll(() => python.stopAll());

const PACKAGE = path.join(ROOT, "packages", "runtime");

interface Condition {
  types: string;
  default: string;
}
interface RuntimeManifest {
  name: string;
  dependencies?: Record<string, string>;
  exports: { ".": { import: Condition; require: Condition } };
}

let manifest: RuntimeManifest;
beforeAll(async () => {
  manifest = JSON.parse(
    await readFile(path.join(PACKAGE, "package.json"), "utf8"),
  ) as RuntimeManifest;
});

/** The file a condition of the package's main export resolves to. */
function entry(condition: "import" | "require"): string {
  return path.join(PACKAGE, manifest.exports["."][condition].default);
}

describe("the runtime package's manifest", () => {
  it("is @pyrogen/runtime, has no dependencies, and every export names a built file", () => {
    expect(manifest.name).toBe("@pyrogen/runtime");
    expect(manifest.dependencies ?? {}).toEqual({});
    for (const condition of Object.values(manifest.exports["."])) {
      expect(existsSync(path.join(PACKAGE, condition.default))).toBe(true);
      expect(existsSync(path.join(PACKAGE, condition.types))).toBe(true);
    }
  });

  it("is what the workspace link in node_modules resolves to, for import and require", async () => {
    const require = createRequire(path.join(ROOT, "package.json"));
    expect(require.resolve("@pyrogen/runtime")).toBe(entry("require"));
    const { stdout } = await execFileAsync(
      process.execPath,
      ["--input-type=module", "-e", 'console.log(import.meta.resolve("@pyrogen/runtime"))'],
      { cwd: ROOT },
    );
    expect(stdout.trim()).toBe(pathToFileURL(entry("import")).href);
  });
});

/** The runtime as loaded by `import` or by `require`. */
async function load(condition: "import" | "require"): Promise<typeof source> {
  if (condition === "import") {
    return (await import(pathToFileURL(entry("import")).href)) as typeof source;
  }
  return createRequire(import.meta.url)(entry("require")) as typeof source;
}

/** The module specifiers a bundle loads (static and dynamic imports, requires). */
function loadedSpecifiers(text: string): string[] {
  return [
    ...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)"/gm),
    ...text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g),
    ...text.matchAll(/\brequire\(\s*"([^"]+)"\s*\)/g),
  ].map((match) => match[1]!);
}

describe.each(["import", "require"] as const)("the runtime through %s", (condition) => {
  it("is one file whose only imports are node builtins", async () => {
    const specifiers = loadedSpecifiers(await readFile(entry(condition), "utf8"));
    expect(specifiers.length).toBeGreaterThan(5);
    expect(specifiers.filter((specifier) => !specifier.startsWith("node:"))).toEqual([]);
  });

  it("exports exactly what src/runtime/index.ts exports, under the same names", async () => {
    const bundle = await load(condition);
    expect(Object.keys(bundle).sort()).toEqual(Object.keys(source).sort());
    // Bundling renames a class that shadows a global (Proxy); its name must not show.
    for (const [name, value] of Object.entries(bundle)) {
      if (typeof value === "function" && /^[A-Z]/.test(name)) expect(value.name).toBe(name);
    }
  });

  it("calls Pyro4's echo server and carries its remote errors", async () => {
    const bundle = await load(condition);
    const port = await freePort();
    await python.start(["-m", "Pyro4.test.echoserver", "-H", "127.0.0.1", "-p", String(port)], {
      ready: { port },
    });
    await using proxy = new bundle.Proxy(`PYRO:test.echoserver@127.0.0.1:${port}`, {
      serializer: "marshal",
    });
    expect(await proxy.$call("echo", [[1, "two", { three: 3 }]])).toEqual([1, "two", { three: 3 }]);
    const error = await proxy.$call("error").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(bundle.PyroError);
    expect((error as source.PyroError).remote?.type).toBe("builtins.ValueError");
  });

  it("serves a TypeScript object whose error tracebacks leave out the runtime's frames", async () => {
    // In a plain Node process: vitest maps stack frames back to src/, which hides what
    // users see (frames in the bundle file).
    const file = entry(condition);
    const load =
      condition === "import"
        ? `await import(${JSON.stringify(pathToFileURL(file).href)})`
        : `require(${JSON.stringify(file)})`;
    const script = `(async () => {
      const runtime = ${load};
      const daemon = await runtime.Daemon.start({ host: "127.0.0.1", logger: () => {} });
      class Failing {
        explode() {
          throw new RangeError("out of range");
        }
      }
      const uri = daemon.register(new Failing(), { id: "failing", expose: { methods: ["explode"] } });
      const proxy = new runtime.Proxy(uri.toString(), { serializer: "serpent" });
      const error = await proxy.$call("explode").catch((caught) => caught);
      proxy.$release();
      await daemon.close();
      console.log(JSON.stringify(error.remote?.traceback ?? null));
    })();`;
    const inputType = condition === "import" ? "module" : "commonjs";
    const { stdout } = await execFileAsync(process.execPath, [
      `--input-type=${inputType}`,
      "-e",
      script,
    ]);
    const traceback = (JSON.parse(stdout) as string[]).join("");
    expect(traceback).toContain("(TypeScript) at Failing.explode");
    expect(traceback).toContain("ValueError: out of range");
    expect(traceback).not.toContain(path.basename(file));
    expect(traceback).not.toMatch(/\bdispatch\b/);
  });
});

describe("the runtime from its source", () => {
  it("leaves out the daemon's own frames when they name the source files (as tsx users run)", async () => {
    // The package ships no source maps; run from its source with tsx, the runtime's frames
    // name src/runtime/daemon/*.ts: the daemon's frames are recognised by what they are,
    // not by their file.
    const sourceEntry = path.join(ROOT, "src", "runtime", "index.ts");
    const script = `
      const runtime = await import(${JSON.stringify(pathToFileURL(sourceEntry).href)});
      const daemon = await runtime.Daemon.start({ host: "127.0.0.1", logger: () => {} });
      class Failing {
        explode() {
          throw new RangeError("out of range");
        }
        async later() {
          await new Promise((resolve) => setTimeout(resolve, 1));
          throw new TypeError("after an await");
        }
        get broken() {
          throw new Error("getter failed");
        }
      }
      const uri = daemon.register(new Failing(), {
        id: "failing",
        expose: { methods: ["explode", "later"], attrs: ["broken"] },
      });
      const proxy = new runtime.Proxy(uri.toString(), { serializer: "serpent", metadata: false });
      const tracebacks = {};
      for (const [name, call] of [
        ["explode", () => proxy.$call("explode")],
        ["later", () => proxy.$call("later")],
        ["broken", () => proxy.$get("broken")],
        ["missing", () => proxy.$call("missing")],
      ]) {
        const error = await call().catch((caught) => caught);
        tracebacks[name] = (error.remote?.traceback ?? []).join("");
      }
      proxy.$release();
      await daemon.close();
      console.log(JSON.stringify(tracebacks));
    `;
    const { stdout } = await execFileAsync(
      process.execPath,
      ["--enable-source-maps", "--import", "tsx", "--input-type=module", "-e", script],
      { cwd: ROOT },
    );
    const tracebacks = JSON.parse(stdout) as Record<string, string>;
    expect(tracebacks["explode"]).toContain("(TypeScript) at Failing.explode");
    expect(tracebacks["later"]).toContain("(TypeScript) at Failing.later");
    expect(tracebacks["broken"]).toContain("(TypeScript) at get broken");
    expect(tracebacks["missing"]).toContain("AttributeError: 'Failing' object has no attribute");
    for (const traceback of Object.values(tracebacks)) {
      expect(traceback).not.toMatch(/src\/runtime|runtime\.bundle|node:internal/);
      expect(traceback).not.toMatch(/\b(dispatch|runInCall|Connection)\b/);
    }
  });
});
