/**
 * Progress on an interactive terminal, silent in CI, pipes and with `--quiet`: `[i/n]`
 * lines for multi-target runs, and — for one target too — a line that counts the seconds
 * while pyrogen connects or waits for a reply (after the first half second), so a slow
 * daemon does not look like a hang. The counting line is erased when the wait ends.
 */

/** How long a wait goes unannounced (most connects take a few ms), ms. */
const QUIET_MS = 500;
/** How often the counting line is redrawn, ms. */
const TICK_MS = 1000;
/** Carriage return and erase-line: the counting line is redrawn in place. */
const REDRAW = "\r\x1b[2K";

/** Reports the steps of a run on stderr when that is a terminal. */
export class Progress {
  readonly #enabled: boolean;
  readonly #total: number;

  constructor(total: number, quiet: boolean) {
    this.#total = total;
    this.#enabled = !quiet && process.stderr.isTTY === true && process.env["CI"] === undefined;
  }

  /** Step `index` (0-based) starts; shown when the run has several. */
  step(index: number, label: string): void {
    if (this.#enabled && this.#total > 1) {
      process.stderr.write(`[${index + 1}/${this.#total}] ${label}\n`);
    }
  }

  /**
   * Show `what` (`connecting to …`) with the seconds spent, once `work` has taken longer
   * than half a second, until it settles.
   */
  async during<T>(what: string, work: Promise<T>): Promise<T> {
    if (!this.#enabled) return work;
    const started = Date.now();
    let shown = false;
    let ticker: NodeJS.Timeout | undefined;
    const draw = () => {
      shown = true;
      const seconds = Math.floor((Date.now() - started) / 1000);
      process.stderr.write(`${REDRAW}pyrogen: ${what}… ${seconds} s`);
    };
    const delay = setTimeout(() => {
      draw();
      ticker = setInterval(draw, TICK_MS);
    }, QUIET_MS);
    try {
      return await work;
    } finally {
      clearTimeout(delay);
      clearInterval(ticker);
      if (shown) process.stderr.write(REDRAW);
    }
  }
}
