/**
 * The rows of the benchmarks (bench/lib.ts): a paired row's ratio is the median of the
 * per-round ratios and its spread their interquartile range; rounds rotate their order.
 */
import { describe, expect, it } from "vitest";
import { legend, pairedRow, rotate, rotatedRounds, row } from "../../bench/lib.js";

const fields = { case: "small", serializer: "json", metric: "calls/s" };

describe("pairedRow", () => {
  it("takes the median of the per-round ratios, not the ratio of the medians", () => {
    // Round by round pyrogen is 1.1x, 0.5x, 1.2x; the medians alone would say 200/200 = 1.
    const r = pairedRow(fields, [110, 200, 360], [100, 400, 300]);
    expect(r.pyrogen).toBe(200);
    expect(r.python).toBe(300);
    expect(r.ratio).toBeCloseTo(1.1, 12);
    expect(r.rounds).toEqual([1.1, 0.5, 1.2].map((x) => expect.closeTo(x, 12)));
  });

  it("gives the middle half of the per-round ratios as the spread", () => {
    const r = pairedRow(fields, [100, 100, 100, 100, 100], [100, 50, 200, 125, 80]);
    // Ratios 1, 2, 0.5, 0.8, 1.25 → quartiles 0.8 and 1.25.
    expect(r.ratio).toBe(1);
    expect(r.spread?.low).toBeCloseTo(0.8, 12);
    expect(r.spread?.high).toBeCloseTo(1.25, 12);
  });

  it("inverts the ratio where lower is better, so that > 1 still means pyrogen is better", () => {
    const r = pairedRow({ ...fields, metric: "client CPU us/call" }, [50, 60], [100, 90], "lower");
    expect(r.ratio).toBeCloseTo(1.75, 12);
  });

  it("has no ratio when a side has no rounds, or a round no figure to divide by", () => {
    expect(pairedRow(fields, [], [1, 2]).ratio).toBeNull();
    expect(pairedRow(fields, [], [1, 2]).python).toBe(1.5);
    const negative = pairedRow(fields, [10, -2], [10, 10]);
    expect(negative.ratio).toBeNull();
    expect(negative.spread).toBeNull();
  });

  it("refuses sides with different numbers of rounds", () => {
    expect(() => pairedRow(fields, [1, 2, 3], [1, 2])).toThrow(/3 vs 2 rounds/);
  });

  it("keeps the baseline it is given", () => {
    const r = pairedRow({ ...fields, baseline: "the bare-node client" }, [1], [2]);
    expect(r.baseline).toBe("the bare-node client");
  });
});

describe("row", () => {
  it("computes one ratio from one figure of each side", () => {
    expect(row({ ...fields, pyrogen: 30, python: 20 }).ratio).toBe(1.5);
    expect(row({ ...fields, pyrogen: 30, python: 60 }, "lower").ratio).toBe(2);
    expect(row({ ...fields, pyrogen: null, python: 60 }).ratio).toBeNull();
  });
});

describe("rotate", () => {
  it("moves the first items to the end", () => {
    expect(rotate(["a", "b", "c"], 0)).toEqual(["a", "b", "c"]);
    expect(rotate(["a", "b", "c"], 1)).toEqual(["b", "c", "a"]);
    expect(rotate(["a", "b", "c"], 5)).toEqual(["c", "a", "b"]);
    expect(rotate([], 3)).toEqual([]);
  });
});

/** Measurements that log their names in `events` and return how many ran before, plus one. */
function countingMeasurements(events: string[]) {
  let calls = 0;
  return (name: string) => async () => {
    events.push(name);
    return ++calls;
  };
}

describe("rotatedRounds", () => {
  it("runs warm-up rounds unrecorded, then records one result per round in rotating order", async () => {
    const order: string[] = [];
    const measure = countingMeasurements(order);
    const results = await rotatedRounds(1, 3, {
      a: measure("a"),
      b: measure("b"),
      c: measure("c"),
    });
    expect(order).toEqual(["a", "b", "c", "b", "c", "a", "c", "a", "b", "a", "b", "c"]);
    // Round 0 (calls 1–3) was the warm-up.
    expect(results).toEqual({ a: [6, 8, 10], b: [4, 9, 11], c: [5, 7, 12] });
  });

  it("skips measurements a case does not have", async () => {
    const results = await rotatedRounds(0, 2, { a: async () => 1, b: undefined });
    expect(results).toEqual({ a: [1, 1] });
  });

  it("readies each measured round with its guard and measures again a round it refuses", async () => {
    const events: string[] = [];
    const measure = countingMeasurements(events);
    let checks = 0;
    const results = await rotatedRounds(
      1,
      2,
      { a: measure("a"), b: measure("b") },
      {
        before: async () => {
          events.push("before");
        },
        // The first measured round (calls 3–4) is refused.
        after: () => ++checks !== 1,
      },
    );
    expect(events).toEqual(["a", "b", "before", "b", "a", "before", "a", "b", "before", "b", "a"]);
    expect(results).toEqual({ a: [5, 8], b: [6, 7] });
  });
});

describe("legend", () => {
  it("names the rows whose baseline is not Python's client", () => {
    const rows = [
      pairedRow(fields, [1], [1]),
      pairedRow({ ...fields, case: "connect vs bare-node", baseline: "bare-node" }, [1], [1]),
      pairedRow({ ...fields, case: "str vs bare-node", baseline: "bare-node" }, [1], [1]),
    ];
    expect(legend(rows)).toContain("except connect vs bare-node, str vs bare-node: bare-node");
    expect(legend([rows[0]!])).not.toContain("except");
  });
});
