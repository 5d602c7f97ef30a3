/**
 * Do two runs of a part agree? Compares the ratio of every row of two results files and
 * lists each judged row (one with a target) and each CPU row beside one, with both ratios
 * and how far apart they are; a ratio that moved by more than 10% is flagged.
 *
 * usage: node --import tsx bench/compare.ts PART
 *          (bench/results/PART.previous.json against bench/results/PART.json)
 *        node --import tsx bench/compare.ts A.json B.json
 * Exits 1 when a judged ratio moved by more than 10%.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compareRuns, type Comparison } from "./agreement.js";
import { formatRatio, type BenchRow } from "./lib.js";

const args = process.argv.slice(2);
const results = path.join(path.dirname(fileURLToPath(import.meta.url)), "results");
const files =
  args.length === 1
    ? [path.join(results, `${args[0]}.previous.json`), path.join(results, `${args[0]}.json`)]
    : args;
if (files.length !== 2) {
  console.error("usage: bench/compare.ts PART | bench/compare.ts A.json B.json");
  process.exit(2);
}
/** A results file's rows, or exit with a message naming the file and what is wrong. */
function rowsOf(file: string): BenchRow[] {
  try {
    const rows: unknown = JSON.parse(readFileSync(file, "utf8"));
    if (!Array.isArray(rows)) throw new Error("not a list of rows");
    return rows as BenchRow[];
  } catch (error) {
    console.error(`cannot compare ${file}: ${(error as Error).message}`);
    return process.exit(2);
  }
}

const [before, after] = files.map((f) => rowsOf(f!));
const comparisons = compareRuns(before!, after!);

const cells = comparisons.map((c: Comparison) => [
  c.case,
  c.serializer,
  c.metric,
  formatRatio(c.before),
  formatRatio(c.after),
  c.difference === null ? "-" : `${(c.difference * 100).toFixed(1)}%`,
  c.judged ? "judged" : "",
  c.agrees ? "" : "MOVED > 10%",
]);
const header = ["case", "serializer", "metric", "run 1", "run 2", "apart", "", ""];
const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
const line = (c: string[]) =>
  c
    .map((v, i) => (i >= 3 && i <= 5 ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
    .join("  ")
    .trimEnd();
console.log(`${files[0]} → ${files[1]}`);
console.log(line(header));
for (const c of cells) console.log(line(c));
const judged = comparisons.filter((c) => c.judged);
const moved = judged.filter((c) => !c.agrees);
const widest = Math.max(0, ...judged.map((c) => c.difference ?? 0));
console.log(
  `judged ratios: ${judged.length - moved.length} of ${judged.length} within ±10% ` +
    `(largest difference ${(widest * 100).toFixed(1)}%)`,
);
process.exit(moved.length > 0 ? 1 : 0);
