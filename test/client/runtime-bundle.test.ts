/**
 * What `@pyrogen/runtime` and `@pyrogen/runtime/wire` resolve to for users: the package in
 * packages/runtime, whose bundled files (`npm run build` writes them from tsc's output) serve
 * `import` (ES modules over one shared chunk) and `require` (CommonJS, one bundle). They
 * import nothing but Node's builtins and each other, export what `src/runtime/index.ts` and
 * `src/runtime/wire.ts` export, share one set of classes between the two entries, and work
 * against a real Pyro4 daemon — calls, remote errors and a TypeScript daemon's tracebacks
 * (whose own frames it leaves out) included.
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
import * as wireSource from "../../src/runtime/wire.js";
import { PythonProcesses, ROOT, freePort } from "../harness/python.js";

const execFileAsync = promisify(execFile);
const python = new PythonProcesses();
afterAll(() => python.stopAll());

const PACKAGE = path.join(ROOT, "packages", "runtime");
const DIST = path.join(PACKAGE, "dist");

interface Condition {
  types: string;
  default: string;
}
type Conditions = { import: Condition; require: Condition };
interface RuntimeManifest {
  name: string;
  dependencies?: Record<string, string>;
  exports: { ".": Conditions; "./wire": Conditions };
}

let manifest: RuntimeManifest;
beforeAll(async () => {
  manifest = JSON.parse(
    await readFile(path.join(PACKAGE, "package.json"), "utf8"),
  ) as RuntimeManifest;
});

type Subpath = "." | "./wire";
type Mode = "import" | "require";

/** The file a condition of one of the package's exports resolves to. */
function entry(condition: Mode, subpath: Subpath = "."): string {
  return path.join(PACKAGE, manifest.exports[subpath][condition].default);
}

describe("the runtime package's manifest", () => {
  it("is @pyrogen/runtime, has no dependencies, and every export names a built file", () => {
    expect(manifest.name).toBe("@pyrogen/runtime");
    expect(manifest.dependencies ?? {}).toEqual({});
    for (const subpath of [".", "./wire"] as const) {
      for (const condition of Object.values(manifest.exports[subpath])) {
        expect(existsSync(path.join(PACKAGE, condition.default))).toBe(true);
        expect(existsSync(path.join(PACKAGE, condition.types))).toBe(true);
      }
    }
  });

  it("is what the workspace link in node_modules resolves to, for import and require", async () => {
    const require = createRequire(path.join(ROOT, "package.json"));
    for (const [specifier, subpath] of [
      ["@pyrogen/runtime", "."],
      ["@pyrogen/runtime/wire", "./wire"],
    ] as const) {
      expect(require.resolve(specifier)).toBe(entry("require", subpath));
      const { stdout } = await execFileAsync(
        process.execPath,
        ["--input-type=module", "-e", `console.log(import.meta.resolve("${specifier}"))`],
        { cwd: ROOT },
      );
      expect(stdout.trim()).toBe(pathToFileURL(entry("import", subpath)).href);
    }
  });
});

/** The runtime (or its wire subpath) as loaded by `import` or by `require`. */
async function load<T>(condition: Mode, subpath: Subpath): Promise<T> {
  if (condition === "import") {
    return (await import(pathToFileURL(entry("import", subpath)).href)) as T;
  }
  return createRequire(import.meta.url)(entry("require", subpath)) as T;
}

/** The module specifiers a bundle loads (static and dynamic imports, requires). */
function loadedSpecifiers(text: string): string[] {
  return [
    ...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)"/gm),
    ...text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g),
    ...text.matchAll(/\brequire\(\s*"([^"]+)"\s*\)/g),
  ].map((match) => match[1]!);
}

/** Every file an entry loads, itself included, following the package's own relative imports. */
async function filesLoadedBy(file: string): Promise<Map<string, string[]>> {
  const files = new Map<string, string[]>();
  const queue = [file];
  while (queue.length > 0) {
    const next = queue.pop()!;
    if (files.has(next)) continue;
    const specifiers = loadedSpecifiers(await readFile(next, "utf8"));
    files.set(next, specifiers);
    for (const specifier of specifiers) {
      if (specifier.startsWith(".")) queue.push(path.resolve(path.dirname(next), specifier));
    }
  }
  return files;
}

describe.each(["import", "require"] as const)("the runtime through %s", (condition) => {
  it("loads only its own files inside dist/ and Node's builtins", async () => {
    const files = await filesLoadedBy(entry(condition));
    for (const [file, specifiers] of await filesLoadedBy(entry(condition, "./wire"))) {
      files.set(file, specifiers);
    }
    // ES modules: two entries over one shared chunk; CommonJS: two entries over one bundle.
    expect(files.size).toBe(3);
    const specifiers = [...files.values()].flat();
    expect(specifiers.filter((specifier) => specifier.startsWith("node:")).length).toBeGreaterThan(
      5,
    );
    for (const [file] of files) expect(path.dirname(file)).toBe(DIST);
    expect(
      specifiers.filter(
        (specifier) => !specifier.startsWith("node:") && !specifier.startsWith("./"),
      ),
    ).toEqual([]);
  });

  it("exports exactly what src/runtime/index.ts and wire.ts export, under the same names", async () => {
    const bundle = await load<typeof source>(condition, ".");
    const wire = await load<typeof wireSource>(condition, "./wire");
    expect(Object.keys(bundle).sort()).toEqual(Object.keys(source).sort());
    expect(Object.keys(wire).sort()).toEqual(Object.keys(wireSource).sort());
    // Class names survive bundling (messages and stack traces show them); `Proxy` is the
    // documented alias of PyroProxy.
    for (const [name, value] of [...Object.entries(bundle), ...Object.entries(wire)]) {
      if (typeof value !== "function" || !/^[A-Z]/.test(name)) continue;
      expect(value.name).toBe(name === "Proxy" ? "PyroProxy" : name);
    }
    expect(bundle.Proxy).toBe(bundle.PyroProxy);
  });

  it("shares one set of classes between its two entries", async () => {
    const bundle = await load<typeof source>(condition, ".");
    const wire = await load<typeof wireSource>(condition, "./wire");
    await using proxy = new bundle.PyroProxy("PYRO:x@127.0.0.1:1");
    expect(proxy[wire.PROXY_TARGET]).toBe(proxy);
    const decoded = wire
      .createSerializer("json")
      .loads(
        new TextEncoder().encode(
          '{"__class__":"Pyro4.errors.NamingError","__exception__":true,"args":[],"attributes":{}}',
        ),
      );
    expect(decoded).toBeInstanceOf(bundle.PyroError);
  });

  it("calls Pyro4's echo server and carries its remote errors", async () => {
    const bundle = await load<typeof source>(condition, ".");
    const port = await freePort();
    await python.start(["-m", "Pyro4.test.echoserver", "-H", "127.0.0.1", "-p", String(port)], {
      ready: { port },
    });
    await using proxy = new bundle.PyroProxy(`PYRO:test.echoserver@127.0.0.1:${port}`, {
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
      const proxy = new runtime.PyroProxy(uri.toString(), { serializer: "serpent" });
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
    expect(traceback).not.toContain(DIST);
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
      const proxy = new runtime.PyroProxy(uri.toString(), { serializer: "serpent", metadata: false });
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
      expect(traceback).not.toMatch(/src\/runtime|packages\/runtime|node:internal/);
      expect(traceback).not.toMatch(/\b(dispatch|runInCall|Connection)\b/);
    }
  });
});
