/**
 * `npm run bench [-- part…]`: runs each benchmark part (all of them without arguments),
 * prints its table and writes `bench/results/<part>.json`.
 */
import { mkdir, readdir, writeFile } from "node:fs/promises";
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
await mkdir(path.join(here, "results"), { recursive: true });
for (const name of requested.length > 0 ? requested : available) {
  const part = (await import(path.join(partsDir, `${name}.ts`))) as { run(): Promise<BenchRow[]> };
  const rows = await part.run();
  printTable(name, rows);
  await writeFile(path.join(here, "results", `${name}.json`), JSON.stringify(rows, null, 2) + "\n");
}
