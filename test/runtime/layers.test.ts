/**
 * The runtime keeps the layer table of docs/internals.md: every module of src/runtime is in
 * exactly one layer, imports (of values or types alike) only its own layer and the layers
 * the table allows, and no modules import each other in a cycle. The checks themselves are
 * shown to catch a wrong import of each kind and a cycle, on a small made-up module graph.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../harness/python.js";
import {
  importCycles,
  importsOf,
  layerViolations,
  parseLayerTable,
  type Edge,
  type Layer,
} from "./layer-rules.js";

const RUNTIME = path.join(ROOT, "src", "runtime");

/** The runtime's modules, relative to src/runtime with `/` separators. */
function runtimeFiles(dir = RUNTIME): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return runtimeFiles(full);
      return entry.name.endsWith(".ts")
        ? [path.relative(RUNTIME, full).split(path.sep).join("/")]
        : [];
    })
    .sort();
}

/**
 * Every import between runtime modules. Node builtins are left out (runtime-dependencies
 * checks that nothing else is imported); anything else that does not name a runtime module
 * is returned in `unresolved`.
 */
function runtimeGraph(files: readonly string[]): { edges: Edge[]; unresolved: string[] } {
  const known = new Set(files);
  const edges: Edge[] = [];
  const unresolved: string[] = [];
  for (const file of files) {
    const source = readFileSync(path.join(RUNTIME, file), "utf8");
    for (const site of importsOf(file, source)) {
      if (site.specifier.startsWith("node:")) continue;
      const target = path.posix.normalize(
        path.posix.join(path.posix.dirname(file), site.specifier.replace(/\.js$/, ".ts")),
      );
      if (site.specifier.startsWith(".") && known.has(target))
        edges.push({ from: file, to: target, kind: site.kind });
      else unresolved.push(`${file}: ${site.kind} "${site.specifier}"`);
    }
  }
  return { edges, unresolved };
}

const layers = parseLayerTable(readFileSync(path.join(ROOT, "docs", "internals.md"), "utf8"));
const files = runtimeFiles();
const graph = runtimeGraph(files);

describe("the runtime's layers (docs/internals.md)", () => {
  it("reads the table and every kind of import", () => {
    expect(layers.length).toBeGreaterThan(10);
    expect(graph.unresolved).toEqual([]);
    // The scan sees the runtime's imports, type-only ones and re-exports included.
    expect(graph.edges.length).toBeGreaterThan(300);
    const kinds = new Set(graph.edges.map((edge) => edge.kind));
    expect(kinds).toContain("import type");
    expect(kinds).toContain("export from");
  });

  it("puts every module in one layer and imports only what the table allows", () => {
    expect(layerViolations(layers, files, graph.edges)).toEqual([]);
  });

  it("has no import cycle", () => {
    expect(importCycles(files, graph.edges)).toEqual([]);
  });
});

describe("the layer checks", () => {
  const table: Layer[] = [
    { name: "base", patterns: ["errors.ts", "values.ts"], mayImport: [] },
    { name: "codec", patterns: ["codec/*.ts"], mayImport: ["base"] },
    { name: "top", patterns: ["top.ts"], mayImport: ["base", "codec"] },
  ];
  const madeUp = ["errors.ts", "values.ts", "codec/a.ts", "codec/b.ts", "top.ts"];
  const allowed: Edge[] = [
    { from: "codec/a.ts", to: "errors.ts", kind: "import" },
    { from: "codec/a.ts", to: "codec/b.ts", kind: "import" },
    { from: "top.ts", to: "codec/a.ts", kind: "export from" },
  ];

  it("pass a graph that keeps the table", () => {
    expect(layerViolations(table, madeUp, allowed)).toEqual([]);
    expect(importCycles(madeUp, allowed)).toEqual([]);
  });

  it.each(["import", "import type", "export from", "import()", "import type()"] as const)(
    "catch an upward %s",
    (kind) => {
      const wrong: Edge = { from: "codec/b.ts", to: "top.ts", kind };
      expect(layerViolations(table, madeUp, [...allowed, wrong])).toEqual([
        `codec/b.ts (codec) ${kind} top.ts (top); codec may import base`,
      ]);
    },
  );

  it("catch a cycle, within a layer or across layers", () => {
    const back: Edge = { from: "codec/b.ts", to: "codec/a.ts", kind: "import type" };
    expect(importCycles(madeUp, [...allowed, back])).toEqual([
      "codec/a.ts → codec/b.ts → codec/a.ts",
    ]);
  });

  it("catch a module in no layer, a stale row and a table that allows importing upwards", () => {
    const upward: Layer[] = [
      { name: "base", patterns: ["errors.ts", "gone.ts"], mayImport: ["top"] },
      { name: "top", patterns: ["top.ts"], mayImport: ["base"] },
    ];
    expect(layerViolations(upward, ["errors.ts", "top.ts", "new.ts"], [])).toEqual([
      "layer base may import top, which is not above it in the table",
      "layer base: `gone.ts` matches no file",
      "new.ts is in no layer",
    ]);
  });

  it("read value, type, re-export and dynamic imports from source", () => {
    const source = [
      'import { a } from "./a.js";',
      'import type { B } from "./b.js";',
      'import { type C } from "./c.js";',
      'export { d } from "./d.js";',
      'export * from "./e.js";',
      'const f = await import("./f.js");',
      'let g: typeof import("./g.js");',
      'import "./h.js";',
    ].join("\n");
    expect(importsOf("x.ts", source)).toEqual([
      { specifier: "./a.js", kind: "import" },
      { specifier: "./b.js", kind: "import type" },
      { specifier: "./c.js", kind: "import" },
      { specifier: "./d.js", kind: "export from" },
      { specifier: "./e.js", kind: "export from" },
      { specifier: "./f.js", kind: "import()" },
      { specifier: "./g.js", kind: "import type()" },
      { specifier: "./h.js", kind: "import" },
    ]);
  });
});
