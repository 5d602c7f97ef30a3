/**
 * Whether two runs of a part agree: the ratio of each judged row (one with a target) and of
 * the CPU rows beside it, run against run. Issue 17 asks that two consecutive runs agree
 * within ±10% on every judged ratio.
 */
import type { BenchRow } from "./lib.js";
import { relativeDifference } from "./stats.js";

/** How far apart two runs may be on a ratio and still agree. */
export const AGREEMENT = 0.1;

/** One row's ratio in two runs. */
export interface Comparison {
  case: string;
  serializer: string;
  metric: string;
  before: number | null;
  after: number | null;
  /** {@link relativeDifference} of the two ratios; null unless both have one. */
  difference: number | null;
  /** The row has a target (in either run). */
  judged: boolean;
  /** Within {@link AGREEMENT}, or without a figure in both runs. */
  agrees: boolean;
}

const key = (r: BenchRow) => `${r.case}\u0000${r.serializer}\u0000${r.metric}`;

/** The CPU rows shown beside a judged calls/s row. */
const CPU_METRICS = ["client CPU us/call", "daemon CPU us/call"];

/**
 * The judged rows of `after` and the CPU rows of the same case and serializer, each with
 * its ratio in `before` (matched by case, serializer and metric), in `after`'s order.
 */
export function compareRuns(before: readonly BenchRow[], after: readonly BenchRow[]): Comparison[] {
  const earlier = new Map(before.map((r) => [key(r), r]));
  const judged = (r: BenchRow | undefined) => r?.target !== undefined;
  const judgedCases = new Set(
    after
      .filter((r) => judged(r) || judged(earlier.get(key(r))))
      .map((r) => `${r.case}\u0000${r.serializer}`),
  );
  return after
    .filter((r) => {
      const isJudged = judged(r) || judged(earlier.get(key(r)));
      return (
        isJudged ||
        (judgedCases.has(`${r.case}\u0000${r.serializer}`) && CPU_METRICS.includes(r.metric))
      );
    })
    .map((r) => {
      const old = earlier.get(key(r));
      const a = old?.ratio ?? null;
      const b = r.ratio;
      const difference = a !== null && b !== null ? relativeDifference(a, b) : null;
      return {
        case: r.case,
        serializer: r.serializer,
        metric: r.metric,
        before: a,
        after: b,
        difference,
        judged: judged(r) || judged(old),
        agrees: difference === null ? a === null && b === null : difference <= AGREEMENT,
      };
    });
}
