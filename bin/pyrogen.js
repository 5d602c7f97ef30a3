#!/usr/bin/env node
// The pyrogen CLI: runs the built code in dist/ (npm run build).
/* global process, URL */
import { existsSync } from "node:fs";

const main = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(main)) {
  process.stderr.write(
    "pyrogen: dist/cli/main.js is missing; build pyrogen first with: npm run build\n",
  );
  process.exit(4);
}
await import(main.href);
