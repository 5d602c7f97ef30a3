/**
 * A part's latest results as a Markdown page (`docs/bench/<part>.md`): the date and machine,
 * the chart, and the full table — rewritten by every run of the part, so the figures in the
 * docs are always the latest run's. The index (`docs/bench/README.md`) lists the pages.
 */
import type { RunInfo } from "./chart.js";
import { tableText, type BenchRow } from "./lib.js";

/** The page for one part. */
export function resultsPage(part: string, rows: readonly BenchRow[], run: RunInfo): string {
  return [
    `# \`${part}\`: latest run`,
    "",
    `${run.date}, \`npm run bench -- ${part}\` on ${run.machine}.`,
    "Written by the run itself; ratios are > 1 when pyrogen is better.",
    "",
    `![${part}: pyrogen vs Python Pyro4](${part}.svg)`,
    "",
    "```",
    tableText(rows),
    "```",
    "",
  ].join("\n");
}

/** One part's entry in the index: its name and the date of its latest run. */
export interface IndexEntry {
  part: string;
  date: string;
}

/** The index of the result pages, parts in name order. */
export function indexPage(entries: readonly IndexEntry[]): string {
  const sorted = [...entries].sort((a, b) => (a.part < b.part ? -1 : a.part > b.part ? 1 : 0));
  return [
    "# Benchmark results",
    "",
    "The latest run of each part of `npm run bench`, written by the runs: a chart of pyrogen",
    "against Python Pyro4 and the full table, with the date and the machine. How each part",
    "measures, and what the figures mean: [bench-calls.md](../bench-calls.md) and",
    "[bench-advanced.md](../bench-advanced.md).",
    "",
    ...(sorted.length === 0
      ? ["No part has run since the charts were added: `npm run bench` writes them."]
      : [
          "| part | latest run |",
          "| ---- | ---------- |",
          ...sorted.map((e) => `| [\`${e.part}\`](${e.part}.md) | ${e.date} |`),
        ]),
    "",
  ].join("\n");
}

/** The run date a page states, to rebuild the index from the pages on disk. */
export function pageDate(page: string): string | undefined {
  return /^(\d{4}-\d\d-\d\d \d\d:\d\d UTC),/m.exec(page)?.[1];
}
