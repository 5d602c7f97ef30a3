/**
 * The host watch (bench/host-watch.ts): how it tells a slow CPU, moves a round off it, has a
 * round measured again, and gives up waiting; a scripted probe and a placer that records
 * moves stand in for the machine. The probe itself is run for real once.
 */
import { describe, expect, it } from "vitest";
import { HostWatch, L2_SLOW, probe, SYSCALL_SLOW } from "../../bench/host-watch.js";
import { swapped, type Cpus, type Placer } from "../../bench/placement.js";

/** A placer over CPUs 0 and 1 that records role swaps and runs probes "on" a CPU. */
function fakePlacer(): Placer & { cpu: number | undefined; swaps: boolean[] } {
  const base: Cpus = { placement: "pinned", client: 0, other: 1 };
  let roles = base;
  const placer = {
    cpu: undefined as number | undefined,
    swaps: [] as boolean[],
    daemon() {},
    client() {},
    swapCpus(swap: boolean) {
      placer.swaps.push(swap);
      roles = swap ? swapped(base) : base;
    },
    get swapped() {
      return roles !== base;
    },
    get roles() {
      return roles;
    },
    onCpu<T>(cpu: number, fn: () => T): T {
      placer.cpu = cpu;
      return fn();
    },
  };
  return placer;
}

const NORMAL = { l2: 1, syscalls: 10 };
/** Slow by either reading. */
const SLOW = { l2: L2_SLOW * 1.1, syscalls: 10 };
const SLOW_SYSCALLS = { l2: 1, syscalls: 10 * SYSCALL_SLOW * 1.1 };

/**
 * A watch over a {@link fakePlacer} whose probe reads `speeds[cpu]` on each CPU (both normal
 * at first, changeable as the test goes).
 */
function scriptedWatch(options: { maxWaitMs?: number; waitStepMs?: number } = {}) {
  const placer = fakePlacer();
  const speeds: Record<number, { l2: number; syscalls: number }> = { 0: NORMAL, 1: NORMAL };
  const probe = () => ({ ...speeds[placer.cpu!]! });
  const watch = HostWatch.over(placer, { probe, ...options })!;
  return { placer, speeds, watch };
}

describe("HostWatch", () => {
  it("keeps rounds on a CPU that is not slow", async () => {
    const { placer, watch } = scriptedWatch();
    const guard = watch.guard("together", 3);
    await guard.before();
    expect(guard.after()).toBe(true);
    expect(placer.swaps).toEqual([]);
    expect(watch.counts).toEqual({ rounds: 1, redone: 0, moved: 0, keptSlow: 0, waitedMs: 0 });
  });

  it("moves a round whose CPU is slow to the other one, when that one is not", async () => {
    const { placer, speeds, watch } = scriptedWatch();
    speeds[0] = SLOW_SYSCALLS;
    const guard = watch.guard("together", 3);
    await guard.before();
    expect(placer.swaps).toEqual([true]);
    expect(placer.roles.client).toBe(1);
    expect(guard.after()).toBe(true);
    expect(watch.counts.moved).toBe(1);
  });

  it("measures a round again when its CPU turned slow, as often as the case allows", async () => {
    const { speeds, watch } = scriptedWatch();
    const guard = watch.guard("apart", 1);
    await guard.before();
    speeds[1] = SLOW;
    expect(guard.after()).toBe(false);
    expect(guard.after()).toBe(true);
    expect(watch.counts).toMatchObject({ rounds: 1, redone: 1, keptSlow: 1 });
  });

  it("waits for a slow CPU it cannot leave, then measures anyway", async () => {
    const { placer, speeds, watch } = scriptedWatch({ maxWaitMs: 30, waitStepMs: 10 });
    speeds[0] = SLOW;
    speeds[1] = SLOW;
    const guard = watch.guard("together", 5);
    await guard.before();
    expect(watch.counts.waitedMs).toBe(30);
    expect(placer.swaps).toEqual([]);
    // Its waiting spent, the case measures no round again.
    expect(guard.after()).toBe(true);
    expect(watch.counts).toMatchObject({ rounds: 1, redone: 0, keptSlow: 1 });
  });

  it("watches nothing when nothing is pinned", () => {
    const placer = fakePlacer();
    const free = { ...placer, roles: { placement: "free" } as Cpus };
    expect(HostWatch.over(free)).toBeUndefined();
  });

  it("probes the CPU it runs on, giving positive times", () => {
    const reading = probe();
    expect(reading.l2).toBeGreaterThan(0);
    expect(reading.syscalls).toBeGreaterThan(0);
    expect(Number.isFinite(reading.l2 + reading.syscalls)).toBe(true);
  });
});
