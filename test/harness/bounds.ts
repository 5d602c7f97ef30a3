/**
 * Measuring the bounds the hardening tests assert: this process's resident memory and how
 * long its event loop was blocked. Generous enough for a loaded 2-core machine; each test
 * compares against what the unbounded behaviour would cost (hundreds of MB, seconds).
 */

import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

const MB = 1024 * 1024;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** A full garbage collection now (for tests of what memory something still holds). */
export function collectGarbage(): void {
  gc();
}

/** This process's RSS right after a full garbage collection. */
export function settledRss(): number {
  gc();
  return process.memoryUsage.rss();
}

/** Samples this process's RSS every 50 ms until `stop()`, which returns the peak growth in MB. */
export function sampleRss(): { stop(): number } {
  const base = process.memoryUsage.rss();
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 50);
  return {
    stop: () => {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage.rss());
      return (peak - base) / MB;
    },
  };
}

/** Watches the event loop with a 10 ms timer until `stop()`, which returns the longest stall in ms. */
export function watchStalls(): { stop(): number } {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 10);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(longest, performance.now() - last);
    },
  };
}
