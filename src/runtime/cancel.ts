/**
 * A lightweight stand-in for `AbortController` used by the proxy's connect attempts.
 * Creating an `AbortController` and (un)registering its listeners costs ~7 µs, a visible
 * share of opening a connection; a connect attempt is almost never aborted, so a plain
 * object with a listener list does the same job at a fraction of the cost.
 */

/** The part of `AbortSignal` the connecting code reads; an `AbortSignal` is one too. */
export interface CancelSignal {
  /** True once cancelled. */
  readonly aborted: boolean;
  /** Why it was cancelled (`undefined` until then). */
  readonly reason: unknown;
  /** Run `listener` once when cancelled. */
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  /** Forget a listener added with `addEventListener`. */
  removeEventListener(type: "abort", listener: () => void): void;
}

/** A cancellable signal: `abort(reason)` runs every registered listener once. */
export class Cancel implements CancelSignal {
  #aborted = false;
  #reason: unknown = undefined;
  #listeners: (() => void)[] = [];

  /** True once `abort` was called. */
  get aborted(): boolean {
    return this.#aborted;
  }

  /** The reason given to `abort`. */
  get reason(): unknown {
    return this.#reason;
  }

  /** Run `listener` once on abort (listeners are always once-only here). */
  addEventListener(_type: "abort", listener: () => void): void {
    if (!this.#aborted) this.#listeners.push(listener);
  }

  /** Forget `listener`. */
  removeEventListener(_type: "abort", listener: () => void): void {
    const index = this.#listeners.indexOf(listener);
    if (index >= 0) this.#listeners.splice(index, 1);
  }

  /** Cancel with `reason` (only the first call counts), running the listeners in order. */
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    for (const listener of this.#listeners.splice(0)) listener();
  }
}
