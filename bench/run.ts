/**
 * `npm run bench [-- part…]`: runs each benchmark part (all of them without arguments),
 * prints its table and writes `bench/results/<part>.json`, its chart `docs/bench/<part>.svg`
 * and its page `docs/bench/<part>.md` (date, machine, chart, table), then the index
 * `docs/bench/README.md`. The run before is kept as `bench/results/<part>.previous.json`, so that
 * two runs can be compared (`bench/compare.ts`).
 */
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { format, resolveConfig } from "prettier";
import { chartSvg } from "./chart.js";
import { printTable, type BenchRow } from "./lib.js";
import { indexPage, pageDate, resultsPage, type IndexEntry } from "./results-page.js";
import { currentRun } from "./run-info.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const partsDir = path.join(here, "parts");
const docsDir = path.join(here, "..", "docs", "bench");
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

/** Markdown for `file` as the repository's prettier check wants it. */
async function markdown(file: string, text: string): Promise<string> {
  return format(text, { ...(await resolveConfig(file)), filepath: file });
}

const results = path.join(here, "results");
await mkdir(results, { recursive: true });
await mkdir(docsDir, { recursive: true });
for (const name of requested.length > 0 ? requested : available) {
  const run = currentRun();
  const part = (await import(path.join(partsDir, `${name}.ts`))) as { run(): Promise<BenchRow[]> };
  const started = Date.now();
  const rows = await part.run();
  printTable(name, rows);
  console.log(`(${name}: ${((Date.now() - started) / 60_000).toFixed(1)} min)`);
  const file = path.join(results, `${name}.json`);
  await rename(file, path.join(results, `${name}.previous.json`)).catch(() => undefined);
  await writeFile(file, JSON.stringify(rows, null, 2) + "\n");
  await writeFile(path.join(docsDir, `${name}.svg`), chartSvg(name, rows, run));
  const page = path.join(docsDir, `${name}.md`);
  await writeFile(page, await markdown(page, resultsPage(name, rows, run)));
}

const entries: IndexEntry[] = [];
for (const file of (await readdir(docsDir)).filter((f) => f.endsWith(".md") && f !== "README.md")) {
  const date = pageDate(await readFile(path.join(docsDir, file), "utf8"));
  if (date !== undefined) entries.push({ part: file.slice(0, -3), date });
}
const index = path.join(docsDir, "README.md");
await writeFile(index, await markdown(index, indexPage(entries)));
