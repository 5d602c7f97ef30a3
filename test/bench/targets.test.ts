/**
 * Judging rows against targets (bench/targets.ts), and the target tables of the `calls` and
 * `daemon` parts wired to the rows those parts build from their rounds.
 */
import { describe, expect, it } from "vitest";
import { tableText, type BenchRow } from "../../bench/lib.js";
import type { Figures } from "../../bench/measure.js";
import { judge, targetsOfRows, verdictOf, type Target } from "../../bench/targets.js";
import * as calls from "../../bench/parts/calls.js";
import * as daemon from "../../bench/parts/daemon.js";

const ratioRow = (name: string, serializer: string, ratio: number | null): BenchRow => ({
  case: name,
  serializer,
  metric: "calls/s",
  pyrogen: ratio,
  python: ratio === null ? null : 1,
  ratio,
});

describe("verdictOf", () => {
  it("meets a target at or above its ratio, misses below, and has no verdict without one", () => {
    expect(verdictOf(1.2, 1.2)).toBe("met");
    expect(verdictOf(1.19, 1.2)).toBe("missed");
    expect(verdictOf(null, 1.2)).toBe("no figure");
  });
});

describe("judge", () => {
  const targets: Target[] = [
    { case: "small", metric: "calls/s", atLeast: 1 },
    { case: "str", metric: "calls/s", serializers: ["json"], atLeast: 1.2 },
  ];

  it("marks the rows a target applies to, by case, metric and serializer", () => {
    const rows = [
      ratioRow("small", "json", 1.05),
      ratioRow("small", "marshal", 0.9),
      { ...ratioRow("small", "json", 2), metric: "client CPU us/call" },
      ratioRow("str", "json", 1.1),
      ratioRow("str", "marshal", 0.5),
      ratioRow("small", "serpent", null),
    ];
    const judged = judge(rows, targets);
    expect(judged.map((r) => [r.target, r.verdict])).toEqual([
      ["≥ 1.00x", "met"],
      ["≥ 1.00x", "missed"],
      [undefined, undefined],
      ["≥ 1.20x", "missed"],
      [undefined, undefined],
      ["≥ 1.00x", "no figure"],
    ]);
  });

  it("keeps, for a run of some cases only, the targets that apply to its rows", () => {
    const rows = [ratioRow("small", "json", 1.05), ratioRow("str", "marshal", 0.5)];
    expect(targetsOfRows(targets, rows)).toEqual([targets[0]]);
    expect(judge(rows, targetsOfRows(targets, rows))[0]!.verdict).toBe("met");
  });

  it("refuses a target that applies to no row, and a row with two targets", () => {
    expect(() => judge([ratioRow("small", "json", 1)], targets)).toThrow(/str calls\/s/);
    const twice: Target[] = [targets[0]!, { ...targets[0]!, atLeast: 2 }];
    expect(() => judge([ratioRow("small", "json", 1)], twice)).toThrow(/has 2 targets/);
  });
});

/** `rounds` measurements at `rate` calls/s, with CPU figures to match. */
const figures = (rate: number, rounds = 3): Figures[] =>
  Array.from({ length: rounds }, () => ({
    calls: 1000,
    calls_per_s: rate,
    cpu_us_per_call: 1e6 / rate / 2,
    daemon_cpu_us_per_call: 1e6 / rate / 2,
  }));

describe("the calls part's targets", () => {
  /**
   * Every case's rounds, for Pyro4 and (rows `pyro5 …`) Pyro5, with pyrogen at `proxy` x
   * Python's rate, bare-node at `bare` x.
   */
  function partRows(proxy: number, bare: number, pipelined: number): BenchRow[] {
    const rows: BenchRow[] = [];
    for (const prefix of ["", "pyro5 "])
      for (const serializer of calls.SERIALIZERS) {
        for (const name of calls.CASES) {
          if (name === "bytes-1MiB" && serializer === "json") continue;
          const floors = name === "small" || name === "str-10KiB";
          const results: calls.Results =
            name === "pipelined"
              ? { python: figures(1000), proxy: figures(1000 * pipelined) }
              : {
                  python: figures(1000),
                  proxy: figures(1000 * proxy),
                  bare: figures(1000 * bare),
                  ...(floors && { floor: figures(5000), pythonFloor: figures(5000) }),
                  ...((floors || name === "connect") && { codec: figures(1000 * bare) }),
                };
          rows.push(...calls.caseRows(name, serializer, results, prefix));
        }
      }
    return judge(rows, calls.TARGETS);
  }

  const verdicts = (rows: BenchRow[]) =>
    Object.fromEntries(
      rows.filter((r) => r.verdict).map((r) => [`${r.case} ${r.serializer}`, r.verdict]),
    );

  it("judges the calls/s rows the issue names, and only those, for both generations", () => {
    const judged = partRows(1.1, 1.3, 3).filter((r) => r.verdict !== undefined);
    expect(judged.every((r) => r.metric === "calls/s")).toBe(true);
    const named = [
      ...calls.SERIALIZERS.flatMap((s) => [
        `small ${s}`,
        `str-10KiB ${s}`,
        `pipelined ${s}`,
        `connect vs bare-node ${s}`,
      ]),
      "str-10KiB vs bare-node marshal",
      "str-10KiB vs bare-node msgpack",
      "bytes-1MiB serpent",
      "bytes-1MiB marshal",
      "bytes-1MiB msgpack",
    ];
    expect(judged.map((r) => `${r.case} ${r.serializer}`).sort()).toEqual(
      [...named, ...named.map((n) => `pyro5 ${n}`)].sort(),
    );
  });

  it("gives connect a bare-node+codec row, not judged and with no raw floor to subtract", () => {
    const rows = calls.caseRows("connect", "marshal", {
      python: figures(1000),
      proxy: figures(800),
      bare: figures(1100),
      codec: figures(1000),
    });
    const codec = rows.filter((r) => r.case === "connect bare-node+codec");
    expect(codec.map((r) => r.metric)).toEqual([
      "calls/s",
      "client CPU us/call",
      "daemon CPU us/call",
    ]);
    expect(rows.some((r) => r.metric === "CPU above floor us/call")).toBe(false);
    const connectTargets = calls.TARGETS.filter((t) => t.case === "connect vs bare-node");
    const judged = judge(rows, connectTargets).filter((r) => r.verdict !== undefined);
    expect(judged.map((r) => r.case)).toEqual(["connect vs bare-node"]);
  });

  it("asks 1.2x of serpent and json at 10 KiB, 1.0x and 90% of bare-node of the others", () => {
    // pyrogen 1.1x Python and 1.1 / 1.2 = 92% of bare-node in every round.
    const v = verdicts(partRows(1.1, 1.2, 3));
    expect(v["small json"]).toBe("met");
    expect(v["str-10KiB serpent"]).toBe("missed");
    expect(v["str-10KiB json"]).toBe("missed");
    expect(v["str-10KiB marshal"]).toBe("met");
    expect(v["str-10KiB vs bare-node msgpack"]).toBe("met");
    expect(v["bytes-1MiB marshal"]).toBe("missed");
    expect(v["connect vs bare-node json"]).toBe("missed");
    expect(v["pipelined msgpack"]).toBe("met");
    expect(v["pyro5 str-10KiB json"]).toBe("missed");
    expect(v["pyro5 str-10KiB marshal"]).toBe("met");
  });

  it("judges connect against that round's bare-node connect (0.95x), pipelined at 2x", () => {
    const v = verdicts(partRows(1.0, 1.05, 1.99));
    expect(v["connect vs bare-node serpent"]).toBe("met");
    expect(v["str-10KiB vs bare-node marshal"]).toBe("met");
    expect(v["pipelined serpent"]).toBe("missed");
  });
});

describe("the calls part's reach", () => {
  it("gives each judged rate what bare-node+codec reached against its baseline, round by round", () => {
    const rows = calls.caseRows("str-10KiB", "msgpack", {
      python: figures(1000),
      proxy: figures(950),
      bare: figures(1250),
      codec: [1040, 1000, 1100].map((rate) => figures(rate, 1)[0]!),
      floor: figures(5000),
      pythonFloor: figures(5000),
    });
    const judged = judge(rows, targetsOfRows(calls.TARGETS, rows)).filter(
      (r) => r.verdict !== undefined,
    );
    expect(judged.map((r) => [r.case, r.verdict, r.reach?.by, r.reach?.ratio])).toEqual([
      ["str-10KiB", "missed", "bare-node+codec", expect.closeTo(1.04, 12)],
      ["str-10KiB vs bare-node", "missed", "bare-node+codec", expect.closeTo(0.832, 12)],
    ]);
    const text = tableText(judged);
    expect(text).toMatch(/targets: 0 met, 2 missed \(1 of them beyond the reach in those rounds\)/);
    expect(text).toMatch(/str-10KiB msgpack calls\/s .*missed {2}reach: bare-node\+codec 1\.04x/);
  });

  it("gives pipelined calls the daemon's ceiling against Python's sequential calls", () => {
    const proxy: Figures[] = [25, 40, 50].map((daemonUs) => ({
      calls: 1000,
      calls_per_s: 18000,
      cpu_us_per_call: 20,
      daemon_cpu_us_per_call: daemonUs,
    }));
    const rows = calls.caseRows("pipelined", "json", { proxy, python: figures(10000) });
    const rate = judge(rows, targetsOfRows(calls.TARGETS, rows)).find(
      (r) => r.verdict !== undefined,
    );
    // The ceilings 40,000, 25,000 and 20,000 calls/s against 10,000: median 2.5x.
    expect(rate?.reach).toEqual({ by: "daemon ceiling", ratio: 2.5 });
  });

  it("is absent where no reference was measured, and not counted then", () => {
    const rows = calls.caseRows("bytes-1MiB", "marshal", {
      python: figures(100),
      proxy: figures(110),
      bare: figures(300),
    });
    const judged = judge(rows, targetsOfRows(calls.TARGETS, rows)).filter(
      (r) => r.verdict !== undefined,
    );
    expect(judged.map((r) => [r.verdict, r.reach])).toEqual([["missed", undefined]]);
    expect(tableText(judged)).toMatch(/targets: 0 met, 1 missed$/m);
    // connect's own calls/s row is not judged (its bare-node row is), so it has no reach.
    const connect = calls.caseRows("connect", "marshal", {
      python: figures(1000),
      proxy: figures(800),
      bare: figures(1100),
      codec: figures(1000),
    });
    expect(connect.filter((r) => r.reach !== undefined).map((r) => r.case)).toEqual([
      "connect vs bare-node",
    ]);
  });
});

describe("the calls part's pipelined rows", () => {
  it("set pyrogen's pipelined calls against the daemon's ceiling at the CPU it spent per call", () => {
    const proxy: Figures[] = [20000, 25000, 30000].map((rate) => ({
      calls: 1000,
      calls_per_s: rate,
      cpu_us_per_call: 20,
      daemon_cpu_us_per_call: 32,
    }));
    const rows = calls.caseRows("pipelined", "marshal", { proxy, python: figures(15000) });
    const ceiling = rows.find((r) => r.case === "pipelined vs daemon ceiling");
    // 25,000 calls/s at 32 µs of daemon CPU each keep the daemon 80% busy.
    expect(ceiling?.ratio).toBeCloseTo(0.8, 12);
    expect(ceiling?.python).toBeCloseTo(1e6 / 32, 6);
    expect(ceiling?.verdict).toBeUndefined();
  });
});

describe("the daemon part's targets", () => {
  it("judges pyrogen's daemon against Pyro4's with each client held fixed", () => {
    const rows = judge(
      daemon.serializerRows("json", {
        tsTs: figures(1100),
        tsPy: figures(1000),
        pyTs: figures(900),
        pyPy: figures(1000),
      }),
      daemon.TARGETS,
    );
    const judged = rows.filter((r) => r.verdict !== undefined);
    expect(judged.map((r) => [r.case, r.ratio, r.verdict])).toEqual([
      ["ts-daemon/ts-client", expect.closeTo(1.1, 12), "met"],
      ["ts-daemon/python-client", expect.closeTo(0.9, 12), "missed"],
    ]);
    const both = rows.find((r) => r.case === "ts-daemon+client" && r.metric === "calls/s");
    expect(both?.ratio).toBeCloseTo(1.1, 12);
    expect(both?.verdict).toBeUndefined();
  });
});
