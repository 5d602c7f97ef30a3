/**
 * The exposure decorators as users write them: TS 5 standard decorators compiled by
 * TypeScript itself (vitest's transformer does not lower standard decorators, so the
 * decorated source is compiled here with `typescript` and then imported).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { afterAll, describe, expect, test } from "vitest";
import { Daemon } from "../../src/runtime/daemon/daemon.js";
import { callback, expose, exposureOf, oneway } from "../../src/runtime/daemon/expose.js";
import { PyroProxy } from "../../src/runtime/proxy.js";

const dir = mkdtempSync(path.join(tmpdir(), "pyrogen-decorators-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Decorators = { expose: typeof expose; oneway: typeof oneway; callback: typeof callback };

/** Compile `source` (a module whose default export takes the decorators) and run it. */
async function compile<T>(name: string, source: string): Promise<(decorators: Decorators) => T> {
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, strict: true },
  });
  const file = path.join(dir, `${name}.mjs`);
  writeFileSync(file, outputText);
  const module = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as {
    default: (decorators: Decorators) => T;
  };
  return module.default;
}

const CLASSES = `
export default function make({ expose, oneway, callback }: any) {
  class Listener {
    #level = 1;
    @expose greet(name: string) { return "hi " + name; }
    @oneway fire(_note: string) {}
    @callback explode(): never { throw new Error("boom"); }
    @expose accessor volume = 3;
    @expose get label() { return "listener"; }
    @expose get level() { return this.#level; }
    set level(value: number) { this.#level = value; }
    notExposed() { return 1; }
  }
  class Loud extends Listener {
    @expose shout(text: string) { return text.toUpperCase(); }
  }
  @expose
  class Everything {
    one() { return 1; }
    two() { return 2; }
    get three() { return 3; }
    _hidden() { return 0; }
  }
  return { Listener, Loud, Everything };
}
`;

interface Made {
  Listener: new () => object;
  Loud: new () => object;
  Everything: new () => object;
}

describe("exposure decorators", () => {
  test("members, accessors, oneway and callback marks, inheritance and whole classes", async () => {
    const { Listener, Loud, Everything } = (await compile<Made>("classes", CLASSES))({
      expose,
      oneway,
      callback,
    });
    const listener = exposureOf(new Listener());
    expect([...listener.methods].sort()).toEqual(["explode", "fire", "greet"]);
    expect([...listener.oneway]).toEqual(["fire"]);
    expect([...listener.callbacks]).toEqual(["explode"]);
    expect(Object.fromEntries(listener.attrs)).toEqual({ volume: true, label: false, level: true });

    const loud = exposureOf(new Loud());
    expect([...loud.methods].sort()).toEqual(["explode", "fire", "greet", "shout"]);

    const everything = exposureOf(new Everything());
    expect([...everything.methods].sort()).toEqual(["one", "two"]);
    expect([...everything.attrs.keys()]).toEqual(["three"]);
  });

  test("decorated objects are served: methods and attributes reach the TypeScript object", async () => {
    const { Listener } = (await compile<Made>("served", CLASSES))({ expose, oneway, callback });
    await using daemon = await Daemon.start({ host: "127.0.0.1" });
    const uri = daemon.register(new Listener());
    await using p = new PyroProxy(uri, { serializer: "json" });
    expect(await p.$call("greet", ["you"])).toBe("hi you");
    expect(await p.$get("volume")).toBe(3);
    await p.$set("level", 9);
    expect(await p.$get("level")).toBe(9);
    await expect(p.$set("label", "x")).rejects.toThrow();
    await expect(p.$call("notExposed", [])).rejects.toThrow();
  });

  test("private, static and underscore members cannot be exposed", async () => {
    const underscore = await compile(
      "underscore",
      `
      export default function make({ expose }: any) {
        class Bad { @expose _secret() {} }
        return Bad;
      }`,
    );
    expect(() => underscore({ expose, oneway, callback })).toThrow(/names starting with '_'/);
    const stat = await compile(
      "static",
      `
      export default function make({ expose }: any) {
        class Bad { @expose static make() {} }
        return Bad;
      }`,
    );
    expect(() => stat({ expose, oneway, callback })).toThrow(/only public instance members/);
    const priv = await compile(
      "private",
      `
      export default function make({ expose }: any) {
        class Bad { @expose #hidden() {} }
        return Bad;
      }`,
    );
    expect(() => priv({ expose, oneway, callback })).toThrow(/only public instance members/);
  });
});
