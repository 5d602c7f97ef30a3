/**
 * The benchmark charts and result pages, from result rows shaped like a real run's: the SVG
 * is well-formed XML (read back by Python's parser), each ratio is a bar on the right side
 * of 1x and of the right length on the log scale, rows without a ratio have no bar, names
 * are escaped, and the page carries the date, machine, chart and table.
 */
import { format, resolveConfig } from "prettier";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { chartSvg, escapeXml, type RunInfo } from "../../bench/chart.js";
import { row, type BenchRow } from "../../bench/lib.js";
import { indexPage, pageDate, resultsPage } from "../../bench/results-page.js";
import { runDate } from "../../bench/run-info.js";
import { ROOT, runPython } from "../harness/python.js";

const RUN: RunInfo = {
  date: "2026-11-26 05:27 UTC",
  machine: "Intel Xeon × 2, 4 GiB, Linux 6.1, Node 20.20.2, Python 3.11.2 with Pyro4 4.82",
};

const ROWS: BenchRow[] = [
  row({ case: "small", serializer: "serpent", metric: "calls/s", pyrogen: 3742, python: 3231 }),
  row(
    {
      case: "small",
      serializer: "serpent",
      metric: "client CPU us/call",
      pyrogen: 90,
      python: 135,
    },
    "lower",
  ),
  row({ case: "connect-first", serializer: "json", metric: "calls/s", pyrogen: 500, python: 1000 }),
  row({
    case: "batch-10k",
    serializer: "marshal",
    metric: "ms per batch",
    pyrogen: 26.4,
    python: null,
  }),
  row({ case: "huge", serializer: "msgpack", metric: "calls/s", pyrogen: 100_000, python: 10 }),
  row({ case: "raw-tcp", serializer: "-", metric: "calls/s", pyrogen: 6775, python: 7799 }),
];

interface Parsed {
  width: number;
  title: string;
  texts: string[];
  bars: { x: number; width: number; fill: string }[];
  axis: { x: number; label: string }[];
}

/** The chart read back by Python's XML parser: its texts, bars and axis ticks. */
function parse(svg: string): Parsed {
  const script = `
import json, sys, xml.etree.ElementTree as ET
ns = "{http://www.w3.org/2000/svg}"
root = ET.fromstring(sys.stdin.read())
texts = [t.text for t in root.iter(ns + "text")]
bars = [dict(x=float(r.get("x")), width=float(r.get("width")), fill=r.get("fill"))
        for r in root.iter(ns + "rect") if r.get("class") == "ratio"]
lines = [float(l.get("x1")) for l in root.iter(ns + "line")]
ticks = [t.text for t in root.iter(ns + "text") if t.get("text-anchor") == "middle"]
print(json.dumps(dict(width=float(root.get("width")), title=root.find(ns + "title").text,
  texts=texts, bars=bars, axis=[dict(x=x, label=l) for x, l in zip(lines, ticks)])))
`;
  return JSON.parse(runPython(script, { input: svg })) as Parsed;
}

describe("chartSvg", () => {
  const svg = chartSvg("calls", ROWS, RUN);
  const parsed = parse(svg);
  const center = parsed.axis.find((tick) => tick.label === "1x")!.x;
  const unit = parsed.axis.find((tick) => tick.label === "2x")!.x - center;

  it("is well-formed SVG whose title and header name the part, the date and the machine", () => {
    expect(parsed.title).toBe("calls: pyrogen vs Python Pyro4, 2026-11-26 05:27 UTC");
    expect(parsed.texts).toContain(`${RUN.date} · ${RUN.machine}`);
    expect(parsed.width).toBeGreaterThan(600);
  });

  it("draws each ratio on a log scale around 1x: right and green when pyrogen is better", () => {
    // One bar per row with a ratio, in row order; batch-10k (no Python figure) has none.
    expect(parsed.bars).toHaveLength(5);
    const [calls, cpu, slower, huge, raw] = parsed.bars;
    expect(calls).toMatchObject({ x: center, fill: "#2e7d32" });
    expect(calls!.width).toBeCloseTo(Math.log2(3742 / 3231) * unit, 1);
    // Lower is better for CPU: Python's 135 against pyrogen's 90 is 1.5x.
    expect(cpu!.width).toBeCloseTo(Math.log2(1.5) * unit, 1);
    // Half as fast: one doubling to the left, in red.
    expect(slower).toMatchObject({ fill: "#c62828" });
    expect(slower!.x + slower!.width).toBeCloseTo(center, 1);
    expect(slower!.width).toBeCloseTo(unit, 1);
    // 10000x is beyond the axis: drawn to its edge (16x), its text says the figure.
    expect(huge!.x).toBe(center);
    expect(huge!.width).toBeCloseTo(4 * unit, 1);
    expect(parsed.texts).toContain("100000 vs 10.0 · 10000x");
    expect(raw!.fill).toBe("#c62828");
  });

  it("labels the axis by doublings and writes both figures and the ratio of each row", () => {
    expect(parsed.axis.map((tick) => tick.label)).toEqual([
      "1/16x",
      "1/8x",
      "1/4x",
      "1/2x",
      "1x",
      "2x",
      "4x",
      "8x",
      "16x",
    ]);
    expect(parsed.texts).toContain("small · serpent · calls/s");
    expect(parsed.texts).toContain("3742 vs 3231 · 1.16x");
    expect(parsed.texts).toContain("batch-10k · marshal · ms per batch");
    expect(parsed.texts).toContain("26.4 vs - · no ratio");
    // A serializer of "-" (a row that has none) is left out of the label.
    expect(parsed.texts).toContain("raw-tcp · calls/s");
  });

  it("spans only the doublings the ratios need", () => {
    const mild = parse(chartSvg("import", ROWS.slice(0, 2), RUN));
    expect(mild.axis.map((tick) => tick.label)).toEqual(["1/2x", "1x", "2x"]);
  });

  it("escapes names and is the same for the same input", () => {
    const hostile = chartSvg(
      'a<b>&"c"',
      [row({ case: "<script>", serializer: "&amp;", metric: '"m"', pyrogen: 1, python: 2 })],
      { date: RUN.date, machine: "</svg><x>" },
    );
    const read = parse(hostile);
    expect(read.title).toBe(`a<b>&"c": pyrogen vs Python Pyro4, ${RUN.date}`);
    expect(read.texts).toContain('<script> · &amp; · "m"');
    expect(read.texts).toContain(`${RUN.date} · </svg><x>`);
    expect(hostile).not.toContain("<script>");
    expect(chartSvg("calls", ROWS, RUN)).toBe(svg);
    expect(escapeXml(`<&>"`)).toBe("&lt;&amp;&gt;&quot;");
  });
});

describe("the result pages", () => {
  it("give the date, the machine, the chart and the full table", () => {
    const page = resultsPage("calls", ROWS, RUN);
    expect(page).toContain("# `calls`: latest run");
    expect(page).toContain(`${RUN.date}, \`npm run bench -- calls\` on ${RUN.machine}.`);
    expect(page).toContain("![calls: pyrogen vs Python Pyro4](calls.svg)");
    expect(page).toContain(
      "small          serpent     calls/s                3742      3231   1.16x",
    );
    expect(page).toContain(
      "batch-10k      marshal     ms per batch           26.4         -       -",
    );
    expect(pageDate(page)).toBe(RUN.date);
  });

  it("are what the repository's prettier check accepts once the run formats them", async () => {
    const file = path.join(ROOT, "docs", "bench", "calls.md");
    const options = { ...(await resolveConfig(file)), filepath: file };
    for (const text of [
      resultsPage("calls", ROWS, RUN),
      indexPage([
        { part: "import", date: RUN.date },
        { part: "calls", date: "2026-11-25 23:30 UTC" },
      ]),
    ]) {
      const formatted = await format(text, options);
      expect(await format(formatted, options)).toBe(formatted);
      // Formatting keeps every figure of the table (a code block is left as it is).
      expect(formatted).toContain(text.includes("```") ? "3742      3231   1.16x" : "[`import`]");
    }
  });

  it("are listed in the index in part order with their dates", () => {
    const index = indexPage([
      { part: "import", date: RUN.date },
      { part: "calls", date: "2026-11-25 23:30 UTC" },
    ]);
    expect(index.indexOf("[`calls`](calls.md) | 2026-11-25 23:30 UTC")).toBeGreaterThan(0);
    expect(index.indexOf("[`calls`]")).toBeLessThan(index.indexOf("[`import`]"));
  });

  it("say so in the index when no part has run yet", () => {
    expect(indexPage([])).toContain("No part has run since the charts were added");
    expect(indexPage([])).not.toContain("| part |");
  });

  it("date runs in UTC to the minute", () => {
    expect(runDate(new Date("2026-11-26T05:27:59.900Z"))).toBe("2026-11-26 05:27 UTC");
  });
});
