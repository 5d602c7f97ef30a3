/**
 * Exposure rules beyond what the live comparison covers: Pyro5's decorators, what Pyro
 * itself refuses when the class is defined (reported as warnings), and bases outside the
 * source. (test/codegen/source-exposure.test.ts proves the rules against live daemons.)
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExposureRules, isPrivateName } from "../../../src/codegen/source/exposure.js";
import { SourceFiles } from "../../../src/codegen/source/source-files.js";
import { Symbols } from "../../../src/codegen/source/symbols.js";

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "pyrogen-exposure-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function exposureOf(source: string, className: string) {
  const file = path.join(dir, `m${Math.random().toString(36).slice(2)}.py`);
  await writeFile(file, source);
  const symbols = await Symbols.load(await SourceFiles.load([file]));
  const info = symbols.classes().find((c) => c.name === className)!;
  const e = new ExposureRules(symbols).exposure(info);
  return {
    methods: e.methods.map((m) => m.name),
    oneway: e.methods.filter((m) => m.oneway).map((m) => m.name),
    attrs: e.attrs.map((a) => a.name),
    generation: e.generation,
    problems: e.problems.map((p) => p.replace(/^.*?: /, "")),
    unknownBases: e.unknownBases,
  };
}

describe("exposure rules", () => {
  it("understands Pyro5's decorators (Pyro5.api and Pyro5.server)", async () => {
    const e = await exposureOf(
      [
        "import Pyro5.server",
        "from Pyro5.api import expose, oneway, behavior",
        "@behavior(instance_mode='single')",
        "class A:",
        "    @expose",
        "    def a(self): pass",
        "    @Pyro5.server.expose",
        "    @oneway",
        "    def b(self): pass",
        "    def c(self): pass",
      ].join("\n"),
      "A",
    );
    expect(e).toMatchObject({ methods: ["a", "b"], oneway: ["b"], attrs: [], generation: 5 });
  });

  it("reports what Pyro refuses when the class is defined, and does not expose it", async () => {
    const e = await exposureOf(
      [
        "import Pyro4",
        "class A(object):",
        "    @Pyro4.expose",
        "    @staticmethod",
        "    def wrong_order(): pass",
        "    @Pyro4.expose",
        "    def _private(self): pass",
        "    @staticmethod",
        "    @Pyro4.expose",
        "    def right_order(): pass",
      ].join("\n"),
      "A",
    );
    expect(e.methods).toEqual(["right_order"]);
    expect(e.problems).toEqual([
      "@expose must come after @staticmethod on wrong_order (Pyro raises AttributeError when the class is defined)",
      "@expose on the private name _private (Pyro refuses it)",
    ]);
  });

  it("names bases outside the source, whose members it cannot see", async () => {
    const e = await exposureOf(
      "import Pyro4\nfrom library import Base\n@Pyro4.expose\nclass A(Base, object):\n    def a(self): pass\n",
      "A",
    );
    expect(e).toMatchObject({ methods: ["a"], unknownBases: ["library.Base"] });
  });

  it("knows Pyro's private names: _x, and dunders on its list, but not other dunders", () => {
    expect(
      ["_x", "__init__", "__eq__", "__getstate__", "__unicode__"].map((n) => isPrivateName(n, 4)),
    ).toEqual([true, true, true, true, true]);
    expect(["x", "__len__", "__call_me__", "__"].map((n) => isPrivateName(n, 4))).toEqual([
      false,
      false,
      false,
      true,
    ]);
    // Pyro5's list has no __unicode__.
    expect(isPrivateName("__unicode__", 5)).toBe(false);
  });
});
