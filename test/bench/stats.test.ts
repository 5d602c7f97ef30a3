/**
 * The benchmarks' statistics (bench/stats.ts): medians, quantiles and the interquartile
 * range a row prints as its spread, and the relative difference two runs are compared by.
 */
import { describe, expect, it } from "vitest";
import { interquartileRange, median, quantile, relativeDifference } from "../../bench/stats.js";

describe("median", () => {
  it("is the middle value of an odd count, whatever the order", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([2])).toBe(2);
  });

  it("is the mean of the two middle values of an even count", () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("does not reorder the caller's list", () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe("quantile", () => {
  it("interpolates between the nearest ranks (the usual definition, numpy's default)", () => {
    const values = [1, 2, 3, 4, 5];
    expect(quantile(values, 0)).toBe(1);
    expect(quantile(values, 0.25)).toBe(2);
    expect(quantile(values, 1)).toBe(5);
    // numpy.quantile([10, 20, 30, 40], 0.25) == 17.5
    expect(quantile([40, 10, 30, 20], 0.25)).toBeCloseTo(17.5, 12);
    expect(quantile([40, 10, 30, 20], 0.75)).toBeCloseTo(32.5, 12);
  });

  it("refuses no values and a quantile outside 0..1", () => {
    expect(() => quantile([], 0.5)).toThrow(RangeError);
    expect(() => quantile([1], 1.5)).toThrow(/not within 0..1/);
    expect(() => quantile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe("interquartileRange", () => {
  it("spans the middle half, so one outlying round does not stretch it", () => {
    const rounds = [1.0, 1.02, 1.04, 1.01, 1.03, 1.05, 3.0];
    expect(interquartileRange(rounds)).toEqual({
      low: quantile(rounds, 0.25),
      high: quantile(rounds, 0.75),
    });
    expect(interquartileRange(rounds).high).toBeLessThan(1.1);
  });

  it("is one point for a single round", () => {
    expect(interquartileRange([1.2])).toEqual({ low: 1.2, high: 1.2 });
  });
});

describe("relativeDifference", () => {
  it("is how far the larger figure is above the smaller, either way round", () => {
    expect(relativeDifference(1.0, 1.1)).toBeCloseTo(0.1, 12);
    expect(relativeDifference(1.1, 1.0)).toBeCloseTo(0.1, 12);
    expect(relativeDifference(2, 2)).toBe(0);
  });

  it("refuses figures that are not positive", () => {
    expect(() => relativeDifference(0, 1)).toThrow(RangeError);
    expect(() => relativeDifference(1, -1)).toThrow(RangeError);
  });
});
