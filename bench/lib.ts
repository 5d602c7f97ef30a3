/**
 * Shared pieces of the benchmarks: the row format every part writes, medians, and the
 * table printer. A part is `bench/parts/<name>.ts` exporting `run(): Promise<BenchRow[]>`.
 */

/** One measured figure, pyrogen next to Python Pyro4 on the same daemon in the same run. */
export interface BenchRow {
  case: string;
  serializer: string;
  metric: string;
  pyrogen: number | null;
  python: number | null;
  /** > 1 always means pyrogen is better (for "lower is better" metrics: python / pyrogen). */
  ratio: number | null;
}

/** Whether a higher or a lower figure is better for a metric. */
export type Better = "higher" | "lower";

/** Build a row, computing the ratio so that > 1 means pyrogen wins. */
export function row(fields: Omit<BenchRow, "ratio">, better: Better = "higher"): BenchRow {
  const { pyrogen, python } = fields;
  let ratio: number | null = null;
  if (pyrogen !== null && python !== null && pyrogen > 0 && python > 0) {
    ratio = better === "higher" ? pyrogen / python : python / pyrogen;
  }
  return { ...fields, ratio };
}

/** The median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Run `measure` `times` times and return the median of what it returns. */
export async function medianOf(
  times: number,
  measure: () => number | Promise<number>,
): Promise<number> {
  const results: number[] = [];
  for (let i = 0; i < times; i++) results.push(await measure());
  return median(results);
}

/** A figure as the tables and charts show it: three significant digits or so; `-` for none. */
export function formatFigure(value: number | null): string {
  if (value === null) return "-";
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** Rows as an aligned text table (a header, a rule, a line per row; no trailing newline). */
export function tableText(rows: readonly BenchRow[]): string {
  const header = ["case", "serializer", "metric", "pyrogen", "python", "ratio"];
  const cells = rows.map((r) => [
    r.case,
    r.serializer,
    r.metric,
    formatFigure(r.pyrogen),
    formatFigure(r.python),
    r.ratio === null ? "-" : `${formatFigure(r.ratio)}x`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c.map((v, i) => (i < 3 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n");
}

/** Print rows as an aligned table. */
export function printTable(part: string, rows: readonly BenchRow[]): void {
  console.log(`\n== ${part} ==`);
  console.log(tableText(rows));
}

/**
 * A row from per-round figures of both sides, measured in pairs: each side shows its
 * median, and the ratio is the median of the per-round ratios (a pair shares the machine's
 * state at that moment, which two medians taken apart do not). An empty list leaves that
 * side (and the ratio) without a figure: a case a client or serializer cannot carry.
 */
export function pairedRow(
  fields: Pick<BenchRow, "case" | "serializer" | "metric">,
  pyrogen: readonly number[],
  python: readonly number[],
  better: Better = "higher",
): BenchRow {
  if (pyrogen.length === 0 || python.length === 0) {
    const side = (values: readonly number[]) => (values.length === 0 ? null : median(values));
    return { ...fields, pyrogen: side(pyrogen), python: side(python), ratio: null };
  }
  const ratios = pyrogen.map(
    (ts, i) => row({ ...fields, pyrogen: ts, python: python[i]! }, better).ratio,
  );
  const valid = ratios.filter((r): r is number => r !== null);
  return {
    ...fields,
    pyrogen: median(pyrogen),
    python: median(python),
    ratio: valid.length === pyrogen.length ? median(valid) : null,
  };
}

/** Each side's results, one per measured round. */
export interface RoundsOf<A, B> {
  pyrogen: A[];
  python: B[];
}

/**
 * `warmup` unmeasured rounds, then `rounds` rounds of `pyrogen()` and `python()` back to
 * back, which one goes first alternating from round to round: the pairs that
 * {@link pairedRow} compares.
 */
export async function pairedRounds<A, B>(
  warmup: number,
  rounds: number,
  pyrogen: () => A | Promise<A>,
  python: () => B | Promise<B>,
): Promise<RoundsOf<A, B>> {
  for (let round = 0; round < warmup; round++) {
    await pyrogen();
    await python();
  }
  const result: RoundsOf<A, B> = { pyrogen: [], python: [] };
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      result.pyrogen.push(await pyrogen());
      result.python.push(await python());
    } else {
      result.python.push(await python());
      result.pyrogen.push(await pyrogen());
    }
  }
  return result;
}
