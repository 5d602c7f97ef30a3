/**
 * The pieces of a measurement (bench/measure.ts): calls for a time or a count, and the
 * calls/s, client CPU and daemon CPU rows made from both sides' rounds.
 */
import { describe, expect, it } from "vitest";
import {
  figureRows,
  measuredRounds,
  repeat,
  selectedFrom,
  type Figures,
} from "../../bench/measure.js";

describe("measuredRounds", () => {
  it("is the part's own number unless PYROGEN_BENCH_ROUNDS asks for another", () => {
    expect(measuredRounds(9, {})).toBe(9);
    expect(measuredRounds(9, { PYROGEN_BENCH_ROUNDS: "" })).toBe(9);
    expect(measuredRounds(9, { PYROGEN_BENCH_ROUNDS: "3" })).toBe(3);
  });

  it("refuses what is not a whole number of rounds, naming the variable", () => {
    for (const bad of ["0", "-2", "2.5", "many"]) {
      expect(() => measuredRounds(9, { PYROGEN_BENCH_ROUNDS: bad })).toThrow(
        new RegExp(`PYROGEN_BENCH_ROUNDS='${bad}'`),
      );
    }
  });
});

describe("selectedFrom", () => {
  const all = ["small", "str-10KiB", "connect"] as const;

  it("is every name unless the variable lists some, kept in their own order", () => {
    expect(selectedFrom(all, "CASES", {})).toBe(all);
    expect(selectedFrom(all, "CASES", { CASES: " " })).toBe(all);
    expect(selectedFrom(all, "CASES", { CASES: "connect, small" })).toEqual(["small", "connect"]);
  });

  it("refuses a name it does not know, naming the variable and the choices", () => {
    expect(() => selectedFrom(all, "CASES", { CASES: "small,tiny" })).toThrow(
      "CASES='small,tiny': 'tiny' is none of small, str-10KiB, connect",
    );
  });
});

describe("repeat", () => {
  it("makes exactly `count` calls, one after the other", async () => {
    let running = 0;
    let calls = 0;
    const made = await repeat({ count: 5 }, async () => {
      expect(running).toBe(0);
      running++;
      await Promise.resolve();
      running--;
      calls++;
    });
    expect([made, calls]).toEqual([5, 5]);
  });

  it("calls for at least `seconds`, and at least once", async () => {
    let calls = 0;
    const started = performance.now();
    const made = await repeat({ seconds: 0.03 }, async () => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 5));
    });
    expect(made).toBe(calls);
    expect(performance.now() - started).toBeGreaterThanOrEqual(30);
    expect(await repeat({ seconds: 0 }, async () => undefined)).toBe(1);
  });
});

const figures = (rate: number, daemon?: number): Figures => ({
  calls: 100,
  calls_per_s: rate,
  cpu_us_per_call: 1e6 / rate,
  ...(daemon !== undefined && { daemon_cpu_us_per_call: daemon }),
});

describe("figureRows", () => {
  const fields = { case: "small", serializer: "json" };

  it("gives calls/s, client CPU and daemon CPU rows, CPU ratios the Python side's over ours", () => {
    const rows = figureRows(fields, [figures(2000, 40)], [figures(1000, 50)]);
    expect(rows.map((r) => [r.metric, r.ratio])).toEqual([
      ["calls/s", 2],
      ["client CPU us/call", 2],
      ["daemon CPU us/call", 1.25],
    ]);
  });

  it("leaves out the daemon CPU row when a side did not watch the daemon", () => {
    const rows = figureRows(fields, [figures(2000)], [figures(1000, 50)]);
    expect(rows.map((r) => r.metric)).toEqual(["calls/s", "client CPU us/call"]);
  });

  it("gives rows without figures for a case a serializer cannot carry", () => {
    const rows = figureRows({ case: "bytes-1MiB", serializer: "json" }, null, null);
    expect(rows.map((r) => [r.metric, r.pyrogen, r.python, r.ratio])).toEqual([
      ["calls/s", null, null, null],
      ["client CPU us/call", null, null, null],
      ["daemon CPU us/call", null, null, null],
    ]);
  });
});
