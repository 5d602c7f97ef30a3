/**
 * Comparing two runs of a part (bench/agreement.ts): every judged ratio and the CPU rows
 * beside it, and whether they agree within ±10%.
 */
import { describe, expect, it } from "vitest";
import { compareRuns } from "../../bench/agreement.js";
import type { BenchRow } from "../../bench/lib.js";

const r = (name: string, metric: string, ratio: number | null, judged = false): BenchRow => ({
  case: name,
  serializer: "json",
  metric,
  pyrogen: 1,
  python: 1,
  ratio,
  ...(judged && { target: "≥ 1.00x", verdict: "met" as const }),
});

describe("compareRuns", () => {
  const first = [
    r("raw-tcp", "calls/s", 0.9),
    r("small", "calls/s", 1.08, true),
    r("small", "client CPU us/call", 1.2),
    r("small", "daemon CPU us/call", 1.0),
    r("small", "CPU above floor us/call", 2.0),
    r("pipelined", "calls/s", 3.0, true),
  ];

  it("lists the judged rows and the CPU rows of the same case, with both ratios", () => {
    const second = [
      r("raw-tcp", "calls/s", 0.5),
      r("small", "calls/s", 1.0, true),
      r("small", "client CPU us/call", 1.5),
      r("small", "daemon CPU us/call", 1.05),
      r("small", "CPU above floor us/call", 9.0),
      r("pipelined", "calls/s", 3.3, true),
    ];
    const compared = compareRuns(first, second);
    expect(compared.map((c) => [c.case, c.metric, c.judged, c.agrees])).toEqual([
      ["small", "calls/s", true, true],
      ["small", "client CPU us/call", false, false],
      ["small", "daemon CPU us/call", false, true],
      ["pipelined", "calls/s", true, true],
    ]);
    expect(compared[0]!.before).toBe(1.08);
    expect(compared[0]!.after).toBe(1.0);
    expect(compared[0]!.difference).toBeCloseTo(0.08, 12);
  });

  it("flags a judged ratio that moved by more than 10%", () => {
    const second = first.map((row) => (row.case === "pipelined" ? { ...row, ratio: 3.31 } : row));
    const pipelined = compareRuns(first, second).find((c) => c.case === "pipelined");
    expect(pipelined?.difference).toBeCloseTo(0.1033, 3);
    expect(pipelined?.agrees).toBe(false);
  });

  it("agrees where neither run has a figure, not where only one has", () => {
    const none = [r("small", "calls/s", null, true)];
    expect(compareRuns(none, none)[0]?.agrees).toBe(true);
    const one = compareRuns(none, [r("small", "calls/s", 1.0, true)])[0];
    expect(one?.agrees).toBe(false);
    expect(one?.difference).toBeNull();
  });

  it("still compares a row judged in the earlier run only", () => {
    const later = [r("small", "calls/s", 1.05)];
    expect(compareRuns([r("small", "calls/s", 1.0, true)], later)[0]?.judged).toBe(true);
  });
});
