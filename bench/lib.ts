/**
 * Shared pieces of the benchmarks: the row format every part writes, paired rounds, and the
 * table printer. A part is `bench/parts/<name>.ts` exporting `run(): Promise<BenchRow[]>`.
 */
import { interquartileRange, median, type Spread } from "./stats.js";
import type { Verdict } from "./targets.js";

/**
 * One measured figure, pyrogen next to a baseline measured on the same daemon in the same
 * run: Python Pyro4 unless {@link BenchRow.baseline} names another client.
 */
export interface BenchRow {
  case: string;
  serializer: string;
  metric: string;
  pyrogen: number | null;
  /** The baseline's figure (Python's, unless `baseline` says otherwise). */
  python: number | null;
  /** > 1 always means pyrogen is better (for "lower is better" metrics: python / pyrogen). */
  ratio: number | null;
  /** The middle half of the per-round ratios (paired rows only). */
  spread?: Spread | null;
  /** The per-round ratios the ratio is the median of (paired rows only). */
  rounds?: number[];
  /** Each side's figure in each round, in the order measured (paired rows only). */
  perRound?: { pyrogen: number[]; python: number[] };
  /** What the `python` figure is, when it is not Python Pyro4's (e.g. `bare-node`). */
  baseline?: string;
  /** The target the ratio is judged against (`≥ 1.20x`), its least ratio, and how it fared. */
  target?: string;
  atLeast?: number;
  verdict?: Verdict;
  /**
   * For a judged row, what a reference reached against the same baseline in the same
   * rounds: whether the target was within any client's reach then.
   */
  reach?: Reach;
}

/**
 * The ratio a reference reached where pyrogen's row is judged: the `bare-node+codec`
 * client, which does the codec work and nothing else, or for pipelined calls the daemon's
 * ceiling, above which no client can go.
 */
export interface Reach {
  /** The median of the reference's per-round ratios to the row's baseline. */
  ratio: number;
  /** The reference, as the verdicts name it. */
  by: string;
}

/** The median of per-round ratios `reference[i] / baseline[i]`; null without a full pairing. */
export function pairedRatio(
  reference: readonly number[],
  baseline: readonly number[],
): number | null {
  if (reference.length === 0 || reference.length !== baseline.length) return null;
  const ratios = roundRatios(reference, baseline, "higher");
  return ratios === null ? null : median(ratios);
}

/** Each round's ratio of two sides' figures (see {@link ratioOf}); null if a round has none. */
function roundRatios(
  pyrogen: readonly number[],
  python: readonly number[],
  better: Better,
): number[] | null {
  const ratios = pyrogen.map((figure, i) => ratioOf(figure, python[i]!, better));
  return ratios.every((r): r is number => r !== null) ? ratios : null;
}

/** Whether a higher or a lower figure is better for a metric. */
export type Better = "higher" | "lower";

/** The ratio of two figures such that > 1 means pyrogen is better; null without both. */
function ratioOf(pyrogen: number, python: number, better: Better): number | null {
  if (!(pyrogen > 0 && python > 0)) return null;
  return better === "higher" ? pyrogen / python : python / pyrogen;
}

/** Build a row from one figure of each side, computing the ratio. */
export function row(fields: Omit<BenchRow, "ratio">, better: Better = "higher"): BenchRow {
  const { pyrogen, python } = fields;
  const ratio = pyrogen !== null && python !== null ? ratioOf(pyrogen, python, better) : null;
  return { ...fields, ratio };
}

/**
 * A row from per-round figures of both sides, measured in pairs: each side shows its
 * median, the ratio is the median of the per-round ratios (a pair shares the machine's
 * state at that moment, which two medians taken apart do not) and the spread their
 * interquartile range. An empty list leaves that side (and the ratio) without a figure: a
 * case a client or serializer cannot carry. A round whose ratio cannot be formed (a figure
 * of 0 or less) leaves the row without a ratio.
 */
export function pairedRow(
  fields: Pick<BenchRow, "case" | "serializer" | "metric" | "baseline">,
  pyrogen: readonly number[],
  python: readonly number[],
  better: Better = "higher",
): BenchRow {
  const side = (values: readonly number[]) => (values.length === 0 ? null : median(values));
  const base = { ...fields, pyrogen: side(pyrogen), python: side(python) };
  if (pyrogen.length === 0 || python.length === 0) return { ...base, ratio: null };
  if (pyrogen.length !== python.length) {
    throw new Error(
      `${fields.case} ${fields.metric}: ${pyrogen.length} vs ${python.length} rounds`,
    );
  }
  const valid = roundRatios(pyrogen, python, better);
  if (valid === null) return { ...base, ratio: null, spread: null };
  return {
    ...base,
    ratio: median(valid),
    spread: interquartileRange(valid),
    rounds: valid,
    perRound: { pyrogen: [...pyrogen], python: [...python] },
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
 * {@link pairedRow} compares. A `guard` readies each measured round and may have it
 * measured again ({@link rotatedRounds}).
 */
export async function pairedRounds<A, B>(
  warmup: number,
  rounds: number,
  pyrogen: () => A | Promise<A>,
  python: () => B | Promise<B>,
  guard?: RoundGuard,
): Promise<RoundsOf<A, B>> {
  const results = await rotatedRounds<"pyrogen" | "python", A | B>(
    warmup,
    rounds,
    { pyrogen: async () => pyrogen(), python: async () => python() },
    guard,
  );
  return { pyrogen: results.pyrogen as A[], python: results.python as B[] };
}

/** Checks each measured round of {@link rotatedRounds}: before it runs, and whether to keep it. */
export interface RoundGuard {
  /** Ready the machine for a measured round (for example move off a slow CPU). */
  before(): Promise<void>;
  /** Whether to keep the round just measured; if not, it is measured again. */
  after(): boolean;
}

/**
 * Run `warmup` unmeasured rounds, then `rounds` measured ones, of a set of named
 * measurements taken one after the other; the order rotates by one from round to round, so
 * that over the rounds each measurement runs early and late alike and no pair of them is
 * always far apart. A `guard` readies each measured round and may have it measured again.
 * Returns each measurement's results, one per measured round.
 */
export async function rotatedRounds<K extends string, T>(
  warmup: number,
  rounds: number,
  measurements: Readonly<Partial<Record<K, () => Promise<T>>>>,
  guard?: RoundGuard,
): Promise<Partial<Record<K, T[]>>> {
  const entries = (
    Object.entries(measurements) as Array<[K, (() => Promise<T>) | undefined]>
  ).filter((entry): entry is [K, () => Promise<T>] => entry[1] !== undefined);
  const results: Partial<Record<K, T[]>> = {};
  for (const [name] of entries) results[name] = [];
  let kept = 0;
  for (let round = 0; kept < rounds; round++) {
    const measured = round >= warmup;
    if (measured) await guard?.before();
    const figures: Array<[K, T]> = [];
    for (const [name, measure] of rotate(entries, round)) figures.push([name, await measure()]);
    if (!measured || (guard !== undefined && !guard.after())) continue;
    for (const [name, result] of figures) results[name]!.push(result);
    kept++;
  }
  return results;
}

/** `items` rotated left by `by` places: rotate([a, b, c], 1) is [b, c, a]. */
export function rotate<T>(items: readonly T[], by: number): T[] {
  if (items.length === 0) return [];
  const start = ((by % items.length) + items.length) % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}

/** A figure as the tables and charts show it: three significant digits or so; `-` for none. */
export function formatFigure(value: number | null): string {
  if (value === null) return "-";
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** A ratio as printed: 1.23x. */
export function formatRatio(value: number | null): string {
  return value === null ? "-" : `${formatFigure(value)}x`;
}

/**
 * What the columns mean: the baseline is Python Pyro4's figure of the same rounds, except in
 * rows that name another baseline (listed with the cases that use it).
 */
export function legend(rows: readonly BenchRow[]): string {
  const lines = ["baseline: Python Pyro4's figure of the same rounds"];
  const cases = new Map<string, Set<string>>();
  for (const r of rows) {
    if (r.baseline === undefined) continue;
    cases.set(r.baseline, (cases.get(r.baseline) ?? new Set()).add(r.case));
  }
  for (const [baseline, names] of cases) {
    lines.push(`  except ${[...names].join(", ")}: ${baseline}`);
  }
  lines.push("ratio > 1: pyrogen better; spread: the middle half of the per-round ratios");
  return lines.join("\n");
}

/**
 * Rows as an aligned text table (a header, a rule, a line per row), the targets and their
 * verdicts beside the judged rows, the legend, and the judged rows again with how many
 * targets were met; no trailing newline.
 */
export function tableText(rows: readonly BenchRow[]): string {
  const header = ["case", "serializer", "metric", "pyrogen", "baseline", "ratio", "spread"];
  const judged = rows.some((r) => r.target !== undefined);
  if (judged) header.push("target", "verdict");
  const cells = rows.map((r) => {
    const line = [
      r.case,
      r.serializer,
      r.metric,
      formatFigure(r.pyrogen),
      formatFigure(r.python),
      formatRatio(r.ratio),
      r.spread ? `${formatFigure(r.spread.low)}–${formatFigure(r.spread.high)}` : "",
    ];
    if (judged) line.push(r.target ?? "", r.verdict ?? "");
    return line;
  });
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => (i < 3 || i > 6 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!)))
      .join("  ")
      .trimEnd();
  const lines = [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)];
  lines.push(legend(rows));
  if (judged) lines.push(verdictsText(rows));
  return lines.join("\n");
}

/** Print rows as an aligned table, the targets and their verdicts beside them. */
export function printTable(part: string, rows: readonly BenchRow[]): void {
  console.log(`\n== ${part} ==`);
  console.log(tableText(rows));
}

/** The judged rows again, one line each, after how many targets were met. */
function verdictsText(rows: readonly BenchRow[]): string {
  const judged = rows.filter((r) => r.verdict !== undefined);
  const cells = judged.map((r) => [
    `${r.case} ${r.serializer} ${r.metric}`,
    formatRatio(r.ratio),
    r.spread ? `(${formatFigure(r.spread.low)}–${formatFigure(r.spread.high)})` : "",
    r.target ?? "",
    r.verdict ?? "",
    r.reach === undefined ? "" : `${r.reach.by} ${formatRatio(r.reach.ratio)}`,
  ]);
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...cells.map((c) => c[i]!.length)));
  const count = (v: Verdict) => judged.filter((r) => r.verdict === v).length;
  const without = count("no figure");
  const missed = judged.filter((r) => r.verdict === "missed");
  const beyond = missed.filter((r) => r.reach !== undefined && !reachMeets(r)).length;
  const lines = [
    `targets: ${count("met")} met, ${count("missed")} missed` +
      (beyond > 0 ? ` (${beyond} of them beyond the reach in those rounds)` : "") +
      (without > 0 ? `, ${without} without a figure` : ""),
  ];
  if (judged.some((r) => r.reach !== undefined)) {
    lines.push(
      "  reach: what a reference reached against the same baseline in the same rounds " +
        "(bare-node+codec: a client doing the codec work and nothing else)",
    );
  }
  for (const [what, ratio, spread, target, verdict, reach] of cells) {
    const head =
      `  ${what!.padEnd(widths[0]!)}  ${ratio!.padStart(widths[1]!)} ${spread!.padEnd(widths[2]!)}  ` +
      `${target!.padEnd(widths[3]!)}  `;
    lines.push(
      reach === "" ? head + verdict : `${head}${verdict!.padEnd(widths[4]!)}  reach: ${reach}`,
    );
  }
  return lines.join("\n");
}

/** Whether a judged row's reach meets its target (the reference met it in those rounds). */
function reachMeets(row: BenchRow): boolean {
  return row.reach !== undefined && row.atLeast !== undefined && row.reach.ratio >= row.atLeast;
}
