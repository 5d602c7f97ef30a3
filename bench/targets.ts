/**
 * The targets a part's rows are judged against (issue 17's table): a target names the rows
 * it applies to and the least ratio that meets it. {@link judge} marks each row met or
 * missed by its ratio, the median of its per-round ratios.
 */
import { formatRatio, type BenchRow } from "./lib.js";

/** How a judged row fared; `no figure` when it has no ratio to judge. */
export type Verdict = "met" | "missed" | "no figure";

/** One target: the rows it applies to and the least ratio that meets it. */
export interface Target {
  case: string;
  metric: string;
  /** The serializers it applies to; every row of the case and metric when absent. */
  serializers?: readonly string[];
  atLeast: number;
}

/** Whether `target` applies to `row`. */
function applies(target: Target, row: BenchRow): boolean {
  return (
    target.case === row.case &&
    target.metric === row.metric &&
    (target.serializers === undefined || target.serializers.includes(row.serializer))
  );
}

/** The targets that apply to some row of `rows` (a run that measured only some cases). */
export function targetsOfRows(
  targets: readonly Target[],
  rows: readonly BenchRow[],
): readonly Target[] {
  return targets.filter((target) => rows.some((row) => applies(target, row)));
}

/** The verdict of a ratio against the least ratio that meets a target. */
export function verdictOf(ratio: number | null, atLeast: number): Verdict {
  if (ratio === null) return "no figure";
  return ratio >= atLeast ? "met" : "missed";
}

/**
 * `rows`, each row a target applies to marked with that target and its verdict. Throws
 * when a target applies to no row or a row has two targets: a target table that does not
 * fit the part's rows is a mistake in the part, not a result.
 */
export function judge(rows: readonly BenchRow[], targets: readonly Target[]): BenchRow[] {
  for (const target of targets) {
    if (!rows.some((r) => applies(target, r))) {
      throw new Error(`target for ${target.case} ${target.metric} applies to no row`);
    }
  }
  return rows.map((r) => {
    const matching = targets.filter((t) => applies(t, r));
    if (matching.length === 0) return r;
    if (matching.length > 1) {
      throw new Error(`${r.case} ${r.serializer} ${r.metric} has ${matching.length} targets`);
    }
    const { atLeast } = matching[0]!;
    return {
      ...r,
      target: `≥ ${formatRatio(atLeast)}`,
      atLeast,
      verdict: verdictOf(r.ratio, atLeast),
    };
  });
}
