/**
 * One measurement of remote calls, the same three figures on both sides: calls/s, the
 * client's CPU per call (`process.cpuUsage()`, `time.process_time()` in Python) and the
 * daemon's CPU per call over the same timed calls (the daemon's process, every thread, read
 * before and after: {@link ProcessCpuClock}; Python's client reads the same clock). CPU per
 * call is less disturbed than calls/s by where and when the scheduler runs the two
 * processes, so every judged calls/s row has CPU rows beside it.
 */
import v8 from "node:v8";
import vm from "node:vm";
import { pairedRow, type BenchRow, type Better } from "./lib.js";
import { ProcessCpuClock } from "./process-cpu.js";
import { PythonBenchClient } from "./python-client.js";

/** One measurement's figures. */
export interface Figures {
  /** How many calls were timed. */
  calls: number;
  calls_per_s: number;
  cpu_us_per_call: number;
  /** Absent where no daemon was watched (a fresh process). */
  daemon_cpu_us_per_call?: number;
}

/**
 * How long a measurement runs: for `seconds` (then as many calls as fit, at least one), or
 * a fixed `count` of calls. Measuring for a time keeps every measurement about as long
 * whatever the case and the machine's speed: long enough to hold several garbage
 * collections, short enough for many rounds.
 */
export type Budget = { seconds: number } | { count: number };

/**
 * Measured rounds per case: `fallback`, the part's own number, unless
 * `PYROGEN_BENCH_ROUNDS` asks for another (at least 1; a short smoke run of a part, whose
 * figures then have less to take a median of). Throws on anything but a positive integer.
 */
export function measuredRounds(fallback: number, env = process.env): number {
  const asked = env["PYROGEN_BENCH_ROUNDS"];
  if (asked === undefined || asked === "") return fallback;
  const rounds = Number(asked);
  if (!Number.isInteger(rounds) || rounds < 1) {
    throw new Error(`PYROGEN_BENCH_ROUNDS='${asked}': give a whole number of rounds, 1 or more`);
  }
  return rounds;
}

/**
 * The names of `all` that a run measures: every one, unless the environment variable `name`
 * lists some (comma-separated), for a quick look at a few rows. Throws on a name not in
 * `all`. A run of fewer rows is not one to judge the targets by.
 */
export function selectedFrom<T extends string>(
  all: readonly T[],
  name: string,
  env = process.env,
): readonly T[] {
  const asked = env[name];
  if (asked === undefined || asked.trim() === "") return all;
  const names = asked.split(",").map((part) => part.trim());
  for (const given of names) {
    if (!(all as readonly string[]).includes(given)) {
      throw new Error(`${name}='${asked}': '${given}' is none of ${all.join(", ")}`);
    }
  }
  return all.filter((one) => names.includes(one));
}

/** The warm-up before each measurement (a fresh proxy's first calls), on both sides. */
export const WARMUP_SECONDS = 0.05;

/** Call `fn` within `budget`; returns how many calls it made. */
export async function repeat(budget: Budget, fn: () => Promise<unknown>): Promise<number> {
  if ("count" in budget) {
    for (let i = 0; i < budget.count; i++) await fn();
    return budget.count;
  }
  const end = performance.now() + budget.seconds * 1000;
  let calls = 0;
  while (calls === 0 || performance.now() < end) {
    await fn();
    calls++;
  }
  return calls;
}

v8.setFlagsFromString("--expose-gc");
const collect = vm.runInNewContext("gc") as () => void;

/**
 * A full garbage collection of this process, before a case's first round. What V8's
 * collector does per call depends on the heap the cases before left: after the 1 MiB cases
 * its limits are high and a 10 KiB case runs on scavenges alone for a while, then falls into
 * a mark-compact every few hundred calls once a collection has shrunk the heap (one run
 * measured the one, the next the other: ~50 against ~85 µs per 10 KiB json call). From a
 * collected heap every case starts in the state it keeps. Python frees by reference counting
 * as it goes and carries no such state from case to case.
 */
export function collectGarbage(): void {
  collect();
}

/** Times calls in this process, reading a daemon's CPU around them. */
export class CallMeter {
  readonly #clock = new ProcessCpuClock();

  /** Time `body`, which calls the daemon `daemonPid` and returns how many calls it made. */
  async time(daemonPid: number, body: () => Promise<number>): Promise<Figures> {
    const daemonBefore = await this.#clock.micros(daemonPid);
    const wall = performance.now();
    const cpu = process.cpuUsage();
    const calls = await body();
    const used = process.cpuUsage(cpu);
    const seconds = (performance.now() - wall) / 1000;
    const daemon = (await this.#clock.micros(daemonPid)) - daemonBefore;
    return {
      calls,
      calls_per_s: calls / seconds,
      cpu_us_per_call: (used.user + used.system) / calls,
      daemon_cpu_us_per_call: daemon / calls,
    };
  }

  /** {@link WARMUP_SECONDS} of unmeasured calls of `fn`, then `budget` of timed ones. */
  async calls(daemonPid: number, budget: Budget, fn: () => Promise<unknown>): Promise<Figures> {
    await repeat({ seconds: WARMUP_SECONDS }, fn);
    return this.time(daemonPid, () => repeat(budget, fn));
  }

  /** Stop the clock's helper process. */
  close(): Promise<void> {
    return this.#clock.close();
  }
}

/** What `bench/calls_client.py` measures (its module comment has the cases). */
export type PythonCallsRequest = {
  target: string;
  serializer: string;
  case: string;
  size?: number;
  daemon_pid?: number;
} & Budget;

/** Pyro4's own client, `bench/calls_client.py`: one measurement per request. */
export class PythonCallsClient extends PythonBenchClient {
  measure(request: PythonCallsRequest): Promise<Figures> {
    return this.ask<Figures>(request);
  }
}

/**
 * The rows of one comparison: calls/s, client CPU and (where both sides watched the daemon)
 * daemon CPU per call, each a {@link pairedRow} of the rounds of both sides; `null` figures
 * give rows without figures (a case a serializer cannot carry).
 */
export function figureRows(
  fields: Pick<BenchRow, "case" | "serializer" | "baseline">,
  pyrogen: readonly Figures[] | null,
  baseline: readonly Figures[] | null,
): BenchRow[] {
  const metric = (label: string, pick: (f: Figures) => number | undefined, better: Better) =>
    pairedRow(
      { ...fields, metric: label },
      (pyrogen ?? []).map((f) => pick(f) ?? NaN),
      (baseline ?? []).map((f) => pick(f) ?? NaN),
      better,
    );
  const rows = [
    metric("calls/s", (f) => f.calls_per_s, "higher"),
    metric("client CPU us/call", (f) => f.cpu_us_per_call, "lower"),
  ];
  const watched = (figures: readonly Figures[] | null) =>
    figures !== null && figures.every((f) => f.daemon_cpu_us_per_call !== undefined);
  if (pyrogen === null || baseline === null || (watched(pyrogen) && watched(baseline))) {
    rows.push(metric("daemon CPU us/call", (f) => f.daemon_cpu_us_per_call, "lower"));
  }
  return rows;
}
