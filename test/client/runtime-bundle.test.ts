/**
 * What `pyrogen/runtime` and `pyrogen/runtime/wire` resolve to for users: two bundled entry
 * files and the chunk they share (`npm run build` writes them from tsc's output), which import
 * nothing but Node's builtins, export what `src/runtime/index.ts` and `src/runtime/wire.ts`
 * export, share their classes, and work against a real Pyro4 daemon — calls, remote errors
 * and a TypeScript daemon's tracebacks (whose own frames it leaves out) included.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
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

interface PackageJson {
  exports: Record<string, { import?: string; types?: string }>;
}

let bundlePath: string;
let wirePath: string;
let bundle: typeof source;
let wire: typeof wireSource;

/** The file a package.json export resolves to. */
async function exported(subpath: string): Promise<string> {
  const pkg = JSON.parse(await readFile(path.join(ROOT, "package.json"), "utf8")) as PackageJson;
  const entry = pkg.exports[subpath]?.import;
  if (entry === undefined) throw new Error(`package.json exports no ${subpath} import`);
  return path.join(ROOT, entry);
}

/** The specifiers a bundled file imports (statically or dynamically). */
async function importsOf(file: string): Promise<string[]> {
  const text = await readFile(file, "utf8");
  return [
    ...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)"/gm),
    ...text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g),
  ].map((match) => match[1]!);
}

beforeAll(async () => {
  bundlePath = await exported("./runtime");
  wirePath = await exported("./runtime/wire");
  bundle = (await import(pathToFileURL(bundlePath).href)) as typeof source;
  wire = (await import(pathToFileURL(wirePath).href)) as typeof wireSource;
});

describe("the bundled runtime (pyrogen/runtime, pyrogen/runtime/wire)", () => {
  it("is two entry files and their shared chunk, whose only other imports are node builtins", async () => {
    expect(path.relative(ROOT, bundlePath)).toBe(path.join("dist", "runtime.bundle.js"));
    expect(path.relative(ROOT, wirePath)).toBe(path.join("dist", "runtime-wire.bundle.js"));
    const chunks = new Set<string>();
    let builtins = 0;
    for (const file of [bundlePath, wirePath]) {
      for (const specifier of await importsOf(file)) {
        if (specifier.startsWith("node:")) builtins++;
        else chunks.add(path.resolve(path.dirname(file), specifier));
      }
    }
    expect([...chunks].map((chunk) => path.basename(chunk))).toEqual([
      expect.stringMatching(/^runtime-shared\.\w+\.js$/),
    ]);
    const shared = await importsOf([...chunks][0]!);
    expect(builtins + shared.length).toBeGreaterThan(5);
    expect(shared.filter((specifier) => !specifier.startsWith("node:"))).toEqual([]);
  });

  it("exports exactly what src/runtime/index.ts and wire.ts export, under the same names", () => {
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
    const script = `
      const runtime = await import(${JSON.stringify(pathToFileURL(bundlePath).href)});
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
    `;
    const { stdout } = await execFileAsync(process.execPath, ["--input-type=module", "-e", script]);
    const traceback = (JSON.parse(stdout) as string[]).join("");
    expect(traceback).toContain("(TypeScript) at Failing.explode");
    expect(traceback).toContain("ValueError: out of range");
    expect(traceback).not.toContain("runtime.bundle.js");
    expect(traceback).not.toMatch(/\bdispatch\b/);
  });

  it("leaves out the daemon's own frames with source maps on too (as tsx users run)", async () => {
    // With source maps the bundle's frames name src/runtime/daemon/*.ts instead of the
    // bundle file: the daemon's frames are recognised by what they are, not by their file.
    const script = `
      const runtime = await import(${JSON.stringify(pathToFileURL(bundlePath).href)});
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
    const { stdout } = await execFileAsync(process.execPath, [
      "--enable-source-maps",
      "--input-type=module",
      "-e",
      script,
    ]);
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
