/**
 * The statistics of the benchmarks: a row's figure is the median of its rounds, and its
 * spread the interquartile range of the same rounds (the middle half of them), which one
 * disturbed round cannot stretch the way it stretches min–max.
 */

/** The median of a non-empty list of numbers. */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/**
 * The `q` quantile (0 ≤ q ≤ 1) of a non-empty list, interpolated linearly between the two
 * nearest ranks (the usual "type 7" definition: q = 0.25 of [1, 2, 3, 4, 5] is 2).
 */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new RangeError("quantile of no values");
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} is not within 0..1`);
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below]!;
  return low + (sorted[above]! - low) * (position - below);
}

/** Where the middle half of the rounds lie: the first and the third quartile. */
export interface Spread {
  low: number;
  high: number;
}

/** The interquartile range of a non-empty list. */
export function interquartileRange(values: readonly number[]): Spread {
  return { low: quantile(values, 0.25), high: quantile(values, 0.75) };
}

/**
 * How far apart two figures of the same thing are, relative to the smaller one: 0.1 means
 * the larger is 10% above the smaller. Two runs of a part agree on a ratio when this is at
 * most 0.1.
 */
export function relativeDifference(a: number, b: number): number {
  if (!(a > 0 && b > 0)) throw new RangeError(`figures must be positive (${a}, ${b})`);
  return Math.max(a, b) / Math.min(a, b) - 1;
}
