/**
 * `npm run bench [-- part…]`: runs each benchmark part (all of them without arguments),
 * prints its table and writes `bench/results/<part>.json`, keeping the run before as
 * `<part>.previous.json` so that two runs can be compared (`bench/compare.ts`).
 */
import { mkdir, readdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { printTable, type BenchRow } from "./lib.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const partsDir = path.join(here, "parts");
const available = (await readdir(partsDir))
  .filter((f) => f.endsWith(".ts"))
  .map((f) => f.slice(0, -3))
  .sort();
const requested = process.argv.slice(2);
for (const name of requested) {
  if (!available.includes(name)) {
    console.error(`unknown benchmark part '${name}'; available: ${available.join(", ")}`);
    process.exit(2);
  }
}
const results = path.join(here, "results");
await mkdir(results, { recursive: true });
for (const name of requested.length > 0 ? requested : available) {
  const part = (await import(path.join(partsDir, `${name}.ts`))) as { run(): Promise<BenchRow[]> };
  const started = Date.now();
  const rows = await part.run();
  printTable(name, rows);
  console.log(`(${name}: ${((Date.now() - started) / 60_000).toFixed(1)} min)`);
  const file = path.join(results, `${name}.json`);
  await rename(file, path.join(results, `${name}.previous.json`)).catch(() => undefined);
  await writeFile(file, JSON.stringify(rows, null, 2) + "\n");
}
