// Build the runtime package (packages/runtime, published as @pyrogen/runtime) from tsc's
// output in dist/runtime. Run by `npm run build` after tsc. The package has two entries:
// `@pyrogen/runtime` (index.ts: what applications and generated modules use) and
// `@pyrogen/runtime/wire` (wire.ts: what other libraries, tools and tests need).
//
// - dist/index.mjs, dist/wire.mjs and the chunk they share: the runtime bundled for `import`.
//   Node loads three modules instead of about ninety: importing the runtime takes about a
//   third of the time. The shared chunk gives both entries one set of classes.
// - dist/runtime.cjs: the runtime bundled once for `require`; dist/index.cjs and
//   dist/wire.cjs each pass on their entry's names from it (one set of classes again).
// - dist/types/: tsc's declarations, only those reachable from the two entries. The package
//   has no "type" field, so these are CommonJS-format declarations (what `require` gets);
//   dist/index.d.mts and dist/wire.d.mts re-export them for `import`. One copy serves both.
// - LICENSE, copied from the repository's.
// No source maps: the bundles are tsc's readable output, and maps that point into
// src/*.ts (which the package does not ship) would only add weight.
import { build } from "esbuild";
import { copyFile, mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";

const PACKAGE = "packages/runtime";
const OUT = path.join(PACKAGE, "dist");
const COMPILED = "dist/runtime";
const ENTRIES = ["index", "wire"];

await rm(OUT, { recursive: true, force: true });

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  // The runtime needs nothing but Node's builtins; this keeps it that way if that changes.
  packages: "external",
  // No keepNames: it wraps every named closure the runtime makes in a call that redefines
  // the closure's `name`, which cost ~8% of the client CPU of a connect. Without it, function
  // names stay as written except where two modules' names collide (then `frame2`, seen only
  // in stack traces); for classes, whose names show in messages, restoreClassNames() below
  // sets them as written, or fails the build.
  keepNames: false,
  logLevel: "warning",
};
await build({
  ...common,
  entryPoints: Object.fromEntries(ENTRIES.map((name) => [name, path.join(COMPILED, `${name}.js`)])),
  outdir: OUT,
  outExtension: { ".js": ".mjs" },
  chunkNames: "shared-[hash]",
  splitting: true,
  format: "esm",
});

// For require: one bundle of both entries, then one small file per entry naming its exports.
const combined = path.join(COMPILED, "cjs-entry.js");
await writeFile(combined, ENTRIES.map((name) => `export * from "./${name}.js";\n`).join(""));
await build({
  ...common,
  entryPoints: [combined],
  outfile: path.join(OUT, "runtime.cjs"),
  format: "cjs",
  // CommonJS has no import.meta; the daemon's traceback filter needs this file's URL.
  define: { "import.meta.url": "__pyrogen_module_url" },
  banner: {
    js: 'const __pyrogen_module_url = require("node:url").pathToFileURL(__filename).href;',
  },
});
await rm(combined);
for (const name of ENTRIES) {
  const esm = await import(pathToFileURL(path.join(OUT, `${name}.mjs`)).href);
  const lines = Object.keys(esm)
    .sort()
    .map((key) => `exports.${key} = runtime.${key};`);
  await writeFile(
    path.join(OUT, `${name}.cjs`),
    [
      `"use strict";`,
      `// The names of @pyrogen/runtime${name === "index" ? "" : `/${name}`}, from the one CommonJS bundle.`,
      `Object.defineProperty(exports, "__esModule", { value: true });`,
      `const runtime = require("./runtime.cjs");`,
      ...lines,
      "",
    ].join("\n"),
  );
}

/** The declaration files the entries need, following relative imports. */
async function reachableDeclarations(entries) {
  const seen = new Set();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    const text = await readFile(path.join(COMPILED, file), "utf8");
    for (const match of text.matchAll(/(?:from\s+|import\()"(\.[^"]+)\.js"/g)) {
      queue.push(path.join(path.dirname(file), `${match[1]}.d.ts`));
    }
  }
  return [...seen].sort();
}

for (const file of await reachableDeclarations(ENTRIES.map((name) => `${name}.d.ts`))) {
  const target = path.join(OUT, "types", file);
  await mkdir(path.dirname(target), { recursive: true });
  await copyFile(path.join(COMPILED, file), target);
}
for (const name of ENTRIES) {
  await writeFile(path.join(OUT, `${name}.d.mts`), `export * from "./types/${name}.js";\n`);
}
await copyFile("LICENSE", path.join(PACKAGE, "LICENSE"));

/**
 * Give every class its name back where esbuild (without keepNames) names it otherwise: a
 * class whose body refers to itself becomes `var X = class _X {…}`, so `X.name` would be
 * `_X`; a static block sets it to `X`, once, as keepNames would. Then fail when any other
 * class is named otherwise than in tsc's output (esbuild renames one whose name collides
 * with another module's), since class names show in error messages and class dicts.
 */
async function restoreClassNames() {
  const declared = new Set();
  for (const file of await readdir(COMPILED, { recursive: true })) {
    if (!file.endsWith(".js")) continue;
    const text = await readFile(path.join(COMPILED, file), "utf8");
    for (const match of text.matchAll(/\bclass\s+([A-Za-z_$][\w$]*)/g)) declared.add(match[1]);
  }
  for (const file of await readdir(OUT)) {
    if (!/\.(mjs|cjs)$/.test(file)) continue;
    const bundle = path.join(OUT, file);
    const text = (await readFile(bundle, "utf8")).replace(
      /\b([A-Za-z_$][\w$]*) = class _\1 \{/g,
      (head, name) =>
        `${head}\n  static { Object.defineProperty(this, "name", { value: "${name}", configurable: true }); }`,
    );
    const names = [
      ...[...text.matchAll(/\b([A-Za-z_$][\w$]*)\s*=\s*class\b/g)].map((m) => m[1]),
      ...[...text.matchAll(/\bclass\s+([A-Za-z_$][\w$]*)/g)]
        .map((m) => m[1])
        .filter((name) => !(name.startsWith("_") && declared.has(name.slice(1)))),
    ].filter((name) => name !== "extends"); // `class extends …`: an anonymous class
    for (const name of names) {
      if (!declared.has(name)) {
        throw new Error(
          `${file}: esbuild renamed a class to '${name}'; rename the class it collides with`,
        );
      }
    }
    await writeFile(bundle, text);
  }
}

await restoreClassNames();
