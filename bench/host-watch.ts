/**
 * The host's slow periods, kept out of the measured rounds. On this VM one vCPU at a time
 * turns slow for seconds to minutes: system calls and memory access take 1.2–1.5x as long
 * (a loopback round trip 0.6–0.8x the rate, a dependent ALU loop unchanged), and pyrogen's
 * client loses more there than Python's: `small` serpent and json read 1.18x and 1.06x in
 * one run's slow period against 1.26x and 1.13x in another's normal one
 * (`docs/bench-calls.md`, fourteenth pass). A run that met a slow period in some cases and
 * not in others did not repeat.
 *
 * The watch tells a slow CPU by a probe of a few milliseconds with two readings: random
 * reads in an array the size of a core's L2 cache, and a loop of `fstat` system calls. Over
 * 10 minutes of readings on both vCPUs, one or the other passed its threshold
 * ({@link L2_SLOW}, {@link SYSCALL_SLOW} times its best reading) in 91% of the readings
 * taken while a raw loopback round trip ran below 0.8x its best rate, and in 1.8% of those
 * taken while it ran at 0.88x or more. Before each measured round the watch probes the CPUs
 * the round will use; if the clients' CPU is slow and the other is not, every process moves
 * there ({@link Placer.swapCpus}), else it waits for one to recover ({@link MAX_WAIT_MS} at
 * most in a case). After the round it probes them again, and a round whose CPU turned slow
 * is measured again (at most as many times as the case has rounds, and not once the case
 * has waited its most). Its {@link HostWatch.summary} says what it did.
 */
import { closeSync, fstatSync, openSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import type { RoundGuard } from "./lib.js";
import { daemonCpu, type Arrangement, type Placer } from "./placement.js";

/** Slow: the L2 reading took this many times its best so far (on either CPU). */
export const L2_SLOW = 1.2;
/** Slow: the system-call reading took this many times its best so far (on either CPU). */
export const SYSCALL_SLOW = 1.3;
/** How long a case waits in all for slow CPUs to recover before its rounds are measured anyway. */
export const MAX_WAIT_MS = 60_000;
const WAIT_STEP_MS = 2_000;

/** The probe's array: 256 KiB, about a core's L2 cache. */
const PROBE_SLOTS = 32 * 1024;
const PROBE_PASSES = 40;
const probeData = new Float64Array(PROBE_SLOTS);
/** A fixed pseudo-random order of the array's slots: a linear congruential sequence's high bits. */
const probeOrder = new Uint32Array(PROBE_SLOTS);
for (let i = 0, x = 1; i < PROBE_SLOTS; i++) {
  x = (Math.imul(x, 1103515245) + 12345) >>> 0;
  probeOrder[i] = x >>> 17;
}
const SYSCALLS = 5_000;

/** Milliseconds for {@link PROBE_PASSES} passes of random reads over the probe's array. */
function l2Once(): number {
  const started = performance.now();
  let sum = 0;
  for (let pass = 0; pass < PROBE_PASSES; pass++) {
    for (let i = 0; i < PROBE_SLOTS; i++) sum += probeData[probeOrder[i]!]!;
  }
  const elapsed = performance.now() - started;
  // Keeps the reads from being optimized away (the array holds zeros).
  if (sum !== 0) throw new Error("probe array changed");
  return elapsed;
}

/** Milliseconds for {@link SYSCALLS} `fstat` calls on `fd`. */
function syscallsOnce(fd: number): number {
  const started = performance.now();
  for (let i = 0; i < SYSCALLS; i++) fstatSync(fd);
  return performance.now() - started;
}

/** One probe's readings, in milliseconds. */
export interface ProbeReading {
  l2: number;
  syscalls: number;
}

/**
 * The probe on the CPU this process runs on: each reading the best of a few, so that one
 * interruption does not count.
 */
export function probe(): ProbeReading {
  const fd = openSync("/dev/null", "r");
  try {
    return {
      l2: Math.min(l2Once(), l2Once(), l2Once()),
      syscalls: Math.min(syscallsOnce(fd), syscallsOnce(fd)),
    };
  } finally {
    closeSync(fd);
  }
}

/** What a watch did over a part. */
export interface WatchCounts {
  /** Measured rounds kept. */
  rounds: number;
  /** Rounds measured again because their CPU was slow after them. */
  redone: number;
  /** Moves of every process to the other CPU, away from a slow one. */
  moved: number;
  /** Rounds kept although a CPU they used was slow (no recovery in time, or no redo left). */
  keptSlow: number;
  waitedMs: number;
}

function noCounts(): WatchCounts {
  return { rounds: 0, redone: 0, moved: 0, keptSlow: 0, waitedMs: 0 };
}

/** A {@link RoundGuard} for one case that can say what it did. */
export interface CaseGuard extends RoundGuard {
  /** What the guard did in its case, or undefined when it only watched. */
  report(): string | undefined;
}

/** How a watch probes and waits: the defaults, or what a test gives. */
export interface WatchOptions {
  /** The probe on the CPU this process runs on. */
  probe?: () => ProbeReading;
  maxWaitMs?: number;
  waitStepMs?: number;
}

/** Watches the CPUs a {@link Placer} pins to; see the module comment. */
export class HostWatch {
  readonly #placer: Placer;
  readonly #probe: () => ProbeReading;
  readonly #maxWaitMs: number;
  readonly #waitStepMs: number;
  readonly #best: ProbeReading = { l2: Infinity, syscalls: Infinity };
  /** What the watch did over every case so far. */
  readonly counts: WatchCounts = noCounts();

  /** A watch over `placer`'s CPUs; undefined when it pins nothing or has one CPU. */
  static over(placer: Placer, options: WatchOptions = {}): HostWatch | undefined {
    const { client, other } = placer.roles;
    if (client === undefined || other === undefined || client === other) return undefined;
    return new HostWatch(placer, [client, other], options);
  }

  private constructor(placer: Placer, cpus: readonly number[], options: WatchOptions) {
    this.#placer = placer;
    this.#probe = options.probe ?? probe;
    this.#maxWaitMs = options.maxWaitMs ?? MAX_WAIT_MS;
    this.#waitStepMs = options.waitStepMs ?? WAIT_STEP_MS;
    // The probe's code optimized, then the fastest reading of each CPU as the first best.
    if (options.probe === undefined) for (let i = 0; i < 30; i++) probe();
    for (const cpu of cpus) for (let i = 0; i < 3; i++) this.#slow(cpu);
  }

  /** Probe `cpu`; whether it is slow. Each reading may lower the best. */
  #slow(cpu: number): boolean {
    const reading = this.#placer.onCpu(cpu, this.#probe);
    const best = this.#best;
    best.l2 = Math.min(best.l2, reading.l2);
    best.syscalls = Math.min(best.syscalls, reading.syscalls);
    return reading.l2 > L2_SLOW * best.l2 || reading.syscalls > SYSCALL_SLOW * best.syscalls;
  }

  /** The CPUs a round whose daemons are placed as `arrangement` runs on, in the current roles. */
  #used(arrangement: Arrangement): number[] {
    const roles = this.#placer.roles;
    const daemon = daemonCpu(roles, arrangement);
    return [...new Set([roles.client!, daemon!])];
  }

  /**
   * A guard for one case's measured rounds, whose daemons are placed as `arrangement`;
   * `redos` rounds at most are measured again. What it does counts both for the case
   * ({@link CaseGuard.report}) and for the watch ({@link HostWatch.counts}).
   */
  guard(arrangement: Arrangement, redos: number): CaseGuard {
    let redosLeft = redos;
    let waitLeft = this.#maxWaitMs;
    const own = noCounts();
    const count = (what: keyof WatchCounts, by = 1) => {
      own[what] += by;
      this.counts[what] += by;
    };
    return {
      before: async () => {
        for (;;) {
          const used = this.#used(arrangement);
          if (!used.some((cpu) => this.#slow(cpu))) return;
          if (used.length === 1 && !this.#slow(this.#placer.roles.other!)) {
            this.#placer.swapCpus(!this.#placer.swapped);
            count("moved");
            return;
          }
          if (waitLeft <= 0) return;
          await sleep(this.#waitStepMs);
          waitLeft -= this.#waitStepMs;
          count("waitedMs", this.#waitStepMs);
        }
      },
      after: () => {
        const slow = this.#used(arrangement).some((cpu) => this.#slow(cpu));
        if (slow && redosLeft > 0 && waitLeft > 0) {
          redosLeft--;
          count("redone");
          return false;
        }
        count("rounds");
        if (slow) count("keptSlow");
        return true;
      },
      report: () => {
        if (own.redone + own.moved + own.keptSlow + own.waitedMs === 0) return undefined;
        return (
          `${own.redone} rounds measured again, ${own.moved} moves, ` +
          `${own.keptSlow} kept on a slow CPU, waited ${(own.waitedMs / 1000).toFixed(0)} s`
        );
      },
    };
  }

  /** One line on what the watch did, e.g. for the end of a part's output. */
  summary(): string {
    const c = this.counts;
    return (
      `host watch: ${c.rounds} rounds kept; ${c.redone} measured again after their CPU ` +
      `turned slow; ${c.moved} moves to the other CPU; ${c.keptSlow} kept on a slow CPU; ` +
      `waited ${(c.waitedMs / 1000).toFixed(0)} s`
    );
  }
}
