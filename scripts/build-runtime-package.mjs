// Bundle the compiled runtime (dist/runtime/*.js, from tsc) into the one file that
// `pyrogen/runtime` resolves to. Node loads one module instead of about eighty: importing
// the runtime takes about a third of the time. The types stay tsc's (dist/runtime/*.d.ts);
// the CLI keeps importing the separate modules. Run by `npm run build` after tsc.
import { build } from "esbuild";

await build({
  entryPoints: ["dist/runtime/index.js"],
  outfile: "dist/runtime.bundle.js",
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // The runtime needs nothing but Node's builtins; this keeps it that way if that changes.
  packages: "external",
  // Class and function names stay as written (error messages and stack traces show them;
  // esbuild would otherwise rename a class that shadows a global, like Proxy).
  keepNames: true,
  // Maps back to src/runtime/*.ts through tsc's own maps.
  sourcemap: true,
  logLevel: "warning",
});
