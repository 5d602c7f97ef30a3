// Bundle the compiled runtime (dist/runtime/*.js, from tsc) into the files that
// `pyrogen/runtime` and `pyrogen/runtime/wire` resolve to. Node loads a few modules instead
// of about eighty: importing the runtime takes about a third of the time. The two entries
// share one chunk, so both see the same classes (a `PyroError` from one is one of the
// other's). The types stay tsc's (dist/runtime/*.d.ts); the CLI keeps importing the separate
// modules. Run by `npm run build` after tsc.
import { build } from "esbuild";

await build({
  entryPoints: {
    "runtime.bundle": "dist/runtime/index.js",
    "runtime-wire.bundle": "dist/runtime/wire.js",
  },
  outdir: "dist",
  chunkNames: "runtime-shared.[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // The runtime needs nothing but Node's builtins; this keeps it that way if that changes.
  packages: "external",
  // Class and function names stay as written (error messages and stack traces show them).
  keepNames: true,
  // Maps back to src/runtime/*.ts through tsc's own maps.
  sourcemap: true,
  logLevel: "warning",
});
