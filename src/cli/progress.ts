/**
 * Progress for multi-target runs: shown on an interactive terminal, silent in CI and pipes.
 */

/** Reports the steps of a run on stderr when that is a terminal. */
export class Progress {
  readonly #enabled: boolean;
  readonly #total: number;

  constructor(total: number, quiet: boolean) {
    this.#total = total;
    this.#enabled =
      !quiet && total > 1 && process.stderr.isTTY === true && process.env["CI"] === undefined;
  }

  /** Step `index` (0-based) starts. */
  step(index: number, label: string): void {
    if (this.#enabled) process.stderr.write(`[${index + 1}/${this.#total}] ${label}\n`);
  }
}
