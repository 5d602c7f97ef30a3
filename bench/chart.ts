/**
 * A part's results as an SVG chart: one row per case, serializer and metric, a bar for how
 * pyrogen compares with Python Pyro4 in that row (the ratio of the same run, > 1 when
 * pyrogen is better) on a log scale around 1x, and both figures written beside it. Ratios
 * put every metric on one axis, whatever its unit and whichever direction is better.
 * Self-contained SVG (no scripts, no external fonts), the same bytes for the same input.
 */
import type { BenchRow } from "./lib.js";
import { formatFigure } from "./lib.js";

/** When and where a run was taken, shown under the title. */
export interface RunInfo {
  /** `YYYY-MM-DD HH:MM UTC`. */
  date: string;
  /** CPU, cores, memory, OS, Node and Python versions. */
  machine: string;
}

const FONT = 'font-family="ui-monospace, SFMono-Regular, Menlo, Consolas, monospace"';
/** Advance of one character at 12 px in the monospace fonts above (generous). */
const CHAR_WIDTH = 7.3;
const ROW_HEIGHT = 20;
const BAR_HEIGHT = 12;
const BAR_AREA = 320;
const GAP = 16;
const MARGIN = 16;
const HEADER = 96;
const AXIS = 26;
const BETTER = "#2e7d32";
const WORSE = "#c62828";
/** Ratios beyond this many doublings are drawn at the edge (their text says the figure). */
const MAX_DOUBLINGS = 4;

/** XML text or attribute content for `text`. */
export function escapeXml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

function rowLabel(row: BenchRow): string {
  return [row.case, row.serializer === "-" ? "" : row.serializer, row.metric]
    .filter((part) => part !== "")
    .join(" · ");
}

function figures(row: BenchRow): string {
  const ratio = row.ratio === null ? "no ratio" : `${formatFigure(row.ratio)}x`;
  return `${formatFigure(row.pyrogen)} vs ${formatFigure(row.python)} · ${ratio}`;
}

/** How many doublings the axis spans each way: enough for the largest ratio, 1 to 4. */
function axisDoublings(rows: readonly BenchRow[]): number {
  let widest = 1;
  for (const row of rows) {
    if (row.ratio !== null) widest = Math.max(widest, Math.ceil(Math.abs(Math.log2(row.ratio))));
  }
  return Math.min(widest, MAX_DOUBLINGS);
}

function tickLabel(doublings: number): string {
  return doublings >= 0 ? `${2 ** doublings}x` : `1/${2 ** -doublings}x`;
}

/** The SVG chart of one part's rows. */
export function chartSvg(part: string, rows: readonly BenchRow[], run: RunInfo): string {
  const labelWidth = Math.ceil(Math.max(12, ...rows.map((r) => rowLabel(r).length)) * CHAR_WIDTH);
  const figureWidth = Math.ceil(Math.max(24, ...rows.map((r) => figures(r).length)) * CHAR_WIDTH);
  const barLeft = MARGIN + labelWidth + GAP;
  const center = barLeft + BAR_AREA / 2;
  const figuresLeft = barLeft + BAR_AREA + GAP;
  const title = `${part}: pyrogen vs Python Pyro4`;
  const header = [
    `${run.date} · ${run.machine}`,
    "bar: how pyrogen compares with Python in the same run (log scale; right of 1x, green:",
    "pyrogen is better). Text: pyrogen's figure vs Python's · the ratio",
  ];
  const width = Math.max(
    figuresLeft + figureWidth + MARGIN,
    Math.ceil(2 * MARGIN + Math.max(...header.map((line) => line.length)) * CHAR_WIDTH),
  );
  const top = HEADER + AXIS;
  const height = top + rows.length * ROW_HEIGHT + MARGIN;
  const doublings = axisDoublings(rows);
  const unit = BAR_AREA / 2 / doublings;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
      `viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}">`,
    `<title>${escapeXml(`${title}, ${run.date}`)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<g ${FONT} font-size="12" fill="#222222">`,
    `<text x="${MARGIN}" y="24" font-size="16" font-weight="bold">${escapeXml(title)}</text>`,
    ...header.map(
      (line, i) =>
        `<text x="${MARGIN}" y="${44 + 18 * i}"${i > 0 ? ' fill="#555555"' : ""}>` +
        `${escapeXml(line)}</text>`,
    ),
  );

  // The axis: a line per doubling, labelled above the rows.
  for (let d = -doublings; d <= doublings; d++) {
    const x = center + d * unit;
    const stroke = d === 0 ? "#222222" : "#dddddd";
    out.push(
      `<line x1="${x}" y1="${top - 6}" x2="${x}" y2="${height - MARGIN}" stroke="${stroke}"/>`,
      `<text x="${x}" y="${top - 10}" text-anchor="middle" fill="#555555">${tickLabel(d)}</text>`,
    );
  }

  rows.forEach((row, index) => {
    const y = top + index * ROW_HEIGHT;
    const baseline = y + ROW_HEIGHT / 2 + 4;
    if (index % 2 === 1) {
      out.push(
        `<rect x="${MARGIN / 2}" y="${y}" width="${width - MARGIN}" height="${ROW_HEIGHT}" ` +
          `fill="#f4f4f4" fill-opacity="0.6"/>`,
      );
    }
    out.push(`<text x="${MARGIN}" y="${baseline}">${escapeXml(rowLabel(row))}</text>`);
    if (row.ratio !== null) {
      const clamped = Math.max(-doublings, Math.min(doublings, Math.log2(row.ratio)));
      const length = Math.abs(clamped) * unit;
      const x = clamped >= 0 ? center : center - length;
      const fill = row.ratio >= 1 ? BETTER : WORSE;
      out.push(
        `<rect class="ratio" x="${round(x)}" y="${y + (ROW_HEIGHT - BAR_HEIGHT) / 2}" ` +
          `width="${round(length)}" height="${BAR_HEIGHT}" fill="${fill}"/>`,
      );
    }
    out.push(`<text x="${figuresLeft}" y="${baseline}">${escapeXml(figures(row))}</text>`);
  });

  out.push("</g>", "</svg>");
  return `${out.join("\n")}\n`;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
