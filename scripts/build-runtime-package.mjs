// Build the runtime package (packages/runtime, published as @pyrogen/runtime) from tsc's
// output in dist/runtime. Run by `npm run build` after tsc.
//
// - dist/index.mjs and dist/index.cjs: the runtime bundled into one file each (ESM for
//   `import`, CommonJS for `require`). Node loads one module instead of about eighty:
//   importing the runtime takes about a third of the time.
// - dist/types/: tsc's declarations, only those reachable from index.d.ts. The package has
//   no "type" field, so these are CommonJS-format declarations (what `require` gets);
//   dist/index.d.mts re-exports them for `import`. One copy serves both.
// - LICENSE, copied from the repository's.
// No source maps: the bundles are tsc's readable output, and maps that point into
// src/*.ts (which the package does not ship) would only add weight.
import { build } from "esbuild";
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";

const PACKAGE = "packages/runtime";
const OUT = path.join(PACKAGE, "dist");
const COMPILED = "dist/runtime";

await rm(OUT, { recursive: true, force: true });

const common = {
  entryPoints: [path.join(COMPILED, "index.js")],
  bundle: true,
  platform: "node",
  target: "node20",
  // The runtime needs nothing but Node's builtins; this keeps it that way if that changes.
  packages: "external",
  // Class and function names stay as written (error messages and stack traces show them;
  // esbuild would otherwise rename a class that shadows a global, like Proxy).
  keepNames: true,
  logLevel: "warning",
};
await build({ ...common, format: "esm", outfile: path.join(OUT, "index.mjs") });
await build({
  ...common,
  format: "cjs",
  outfile: path.join(OUT, "index.cjs"),
  // CommonJS has no import.meta; the daemon's traceback filter needs this file's URL.
  define: { "import.meta.url": "__pyrogen_module_url" },
  banner: {
    js: 'const __pyrogen_module_url = require("node:url").pathToFileURL(__filename).href;',
  },
});

/** The declaration files index.d.ts needs, following relative imports. */
async function reachableDeclarations(entry) {
  const seen = new Set();
  const queue = [entry];
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

for (const file of await reachableDeclarations("index.d.ts")) {
  const target = path.join(OUT, "types", file);
  await mkdir(path.dirname(target), { recursive: true });
  await copyFile(path.join(COMPILED, file), target);
}
await writeFile(path.join(OUT, "index.d.mts"), 'export * from "./types/index.js";\n');
await copyFile("LICENSE", path.join(PACKAGE, "LICENSE"));
