/**
 * Which CPU each process of a benchmark runs on. On this 2-vCPU VM a client and its daemon
 * that take turns (one call at a time) either share a vCPU, each call then costing two
 * context switches, or sit on the two vCPUs, each call then waking the other vCPU from
 * halt through the hypervisor, which cost 2–3x the CPU time per call on both sides when
 * this was written and varied with whatever else ran (on the host of the ninth pass of
 * issue 17 it cost about the same as sharing, and repeated: docs/bench-calls.md). Left to
 * the scheduler, a pair flips between the two for seconds at a time, and a round's figures
 * with it (0.4x–2.2x per-round ratios in one run): the main reason runs did not repeat
 * (`docs/bench-calls.md` has the measurements).
 *
 * So the parts whose clients talk to daemons (`calls`, `calls-advanced`, `daemon`) pin
 * them: clients on the first allowed CPU, and each daemon, as its case asks, `together`
 * with them (calls one at a time: the figures are then the work both processes do per
 * call, not the hypervisor's wake-ups) or `apart` on the second CPU (pipelined calls, whose
 * point is that client and daemon work at the same time). The other parts time work in one
 * process at a time and are left to the scheduler.
 *
 * A case may also swap the two CPUs' roles from round to round (`Placer.swapCpus`). The
 * host slows one vCPU at a time, for seconds to minutes, by up to 1.8x (`docs/bench-calls.md`,
 * sixth pass). So `pipelined`, whose daemon runs apart from pyrogen's client but together
 * with Python's, swaps roles on one side in alternate rounds: in every round both sides'
 * daemon is on the same CPU. The host watch (`bench/host-watch.ts`) swaps the roles to move
 * every process off a vCPU in a slow period.
 *
 * `PYROGEN_BENCH_PLACEMENT` overrides it: `together` or `apart` for every case, or `free`
 * (nothing pinned, as before issue 17); `pinned` (the default) is as described.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";

/** Where a case wants its daemon: on its clients' CPU, or on the other one. */
export type Arrangement = "together" | "apart";

/** The placements `PYROGEN_BENCH_PLACEMENT` can name. */
export const PLACEMENTS = ["pinned", "together", "apart", "free"] as const;
export type Placement = (typeof PLACEMENTS)[number];

/** The CPUs of a list such as `0-3,6` (the format of Cpus_allowed_list and taskset -c). */
export function parseCpuList(list: string): number[] {
  const cpus: number[] = [];
  for (const part of list.trim().split(",")) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (match === null) throw new Error(`not a CPU list: '${list}'`);
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    for (let cpu = first; cpu <= last; cpu++) cpus.push(cpu);
  }
  return cpus;
}

/** The placement asked for, checked: `pinned` (the default), `together`, `apart`, `free`. */
export function placementFrom(value: string | undefined): Placement {
  const asked = value === undefined || value === "" ? "pinned" : value;
  if (!(PLACEMENTS as readonly string[]).includes(asked)) {
    throw new Error(`PYROGEN_BENCH_PLACEMENT='${asked}': use one of ${PLACEMENTS.join(", ")}`);
  }
  return asked as Placement;
}

/** The CPUs a placement uses: the clients' and the other one (absent when not pinned). */
export interface Cpus {
  placement: Placement;
  client?: number;
  other?: number;
}

/** The CPUs for `placement` among those this process may use. */
export function cpusFor(placement: Placement, allowed: readonly number[]): Cpus {
  if (placement === "free" || allowed.length === 0) return { placement: "free" };
  return { placement, client: allowed[0]!, other: allowed[1] ?? allowed[0]! };
}

/** The CPU a daemon whose case asks for `arrangement` runs on; undefined when not pinned. */
export function daemonCpu(cpus: Cpus, arrangement: Arrangement): number | undefined {
  if (cpus.client === undefined) return undefined;
  const chosen = cpus.placement === "pinned" ? arrangement : cpus.placement;
  return chosen === "apart" ? cpus.other : cpus.client;
}

/** `cpus` with the two CPUs' roles exchanged: the clients' CPU becomes the other one. */
export function swapped(cpus: Cpus): Cpus {
  if (cpus.client === undefined) return cpus;
  return { ...cpus, client: cpus.other, other: cpus.client };
}

/** How a placement is announced at the start of a part. */
export function describe(cpus: Cpus): string {
  if (cpus.client === undefined) return "placement: free (nothing pinned)";
  const on = (arrangement: Arrangement) => `CPU ${daemonCpu(cpus, arrangement)}`;
  const daemons =
    cpus.placement === "pinned"
      ? `daemons on ${on("together")} for calls one at a time, on ${on("apart")} for pipelined calls`
      : `daemons on ${on("together")}`;
  return `placement: ${cpus.placement} (clients on CPU ${cpus.client}; ${daemons})`;
}

/** Pins clients and daemons, inside {@link withPlacement}. */
export interface Placer {
  /**
   * Pin a daemon's process (every thread, and those it starts later) as a case asks. It
   * moves with the roles ({@link Placer.swapCpus}) while it runs.
   */
  daemon(pid: number, arrangement: Arrangement): void;
  /** Pin a client process to the clients' CPU; it moves with the roles while it runs. */
  client(pid: number): void;
  /**
   * Swap the two CPUs' roles, or (`false`) restore them: this process, the clients and the
   * daemons placed so far move to where the new roles put them.
   */
  swapCpus(swap: boolean): void;
  /** Whether the roles are swapped now. */
  readonly swapped: boolean;
  /** The CPUs in their current roles (no CPUs when nothing is pinned). */
  readonly roles: Cpus;
  /** Run `fn` with this process on `cpu`, then move it back to the clients' CPU. */
  onCpu<T>(cpu: number, fn: () => T): T;
}

/**
 * Run `body` with this process (every thread; the processes it starts inherit it) pinned to
 * the clients' CPU of the placement `PYROGEN_BENCH_PLACEMENT` asks for, daemons pinned as
 * `body` asks; this process's CPUs are restored afterwards. Says where things run.
 */
export async function withPlacement<T>(body: (placer: Placer) => Promise<T>): Promise<T> {
  const status = readFileSync("/proc/self/status", "utf8");
  const allowed = /^Cpus_allowed_list:\s*(.+)$/m.exec(status)?.[1]?.trim();
  const cpus = cpusFor(
    placementFrom(process.env["PYROGEN_BENCH_PLACEMENT"]),
    allowed ? parseCpuList(allowed) : [],
  );
  console.log(describe(cpus));
  if (cpus.client !== undefined) pin(process.pid, String(cpus.client));
  let roles = cpus;
  const daemons = new Map<number, Arrangement>();
  const clients = new Set<number>();
  const placeDaemon = (pid: number, arrangement: Arrangement) => {
    const cpu = daemonCpu(roles, arrangement);
    if (cpu !== undefined) pin(pid, String(cpu));
  };
  try {
    return await body({
      daemon(pid, arrangement) {
        daemons.set(pid, arrangement);
        placeDaemon(pid, arrangement);
      },
      client(pid) {
        clients.add(pid);
        if (roles.client !== undefined) pin(pid, String(roles.client));
      },
      swapCpus(swap) {
        const wanted = swap ? swapped(cpus) : cpus;
        if (wanted.client === undefined || wanted.client === roles.client) return;
        roles = wanted;
        for (const pid of [process.pid, ...clients]) {
          if (running(pid, clients)) pin(pid, String(roles.client));
        }
        for (const [pid, arrangement] of daemons) {
          if (running(pid, daemons)) placeDaemon(pid, arrangement);
        }
      },
      get swapped() {
        return roles !== cpus;
      },
      get roles() {
        return roles;
      },
      onCpu(cpu, fn) {
        if (roles.client === undefined || cpu === roles.client) return fn();
        pin(process.pid, String(cpu));
        try {
          return fn();
        } finally {
          pin(process.pid, String(roles.client));
        }
      },
    });
  } finally {
    if (cpus.client !== undefined && allowed) pin(process.pid, allowed);
  }
}

/** Whether `pid` still runs; one that ended is forgotten by `placed`, which held it. */
function running(pid: number, placed: { delete(pid: number): unknown }): boolean {
  if (existsSync(`/proc/${pid}`)) return true;
  placed.delete(pid);
  return false;
}

function pin(pid: number, cpus: string): void {
  execFileSync("taskset", ["--all-tasks", "--cpu-list", "--pid", cpus, String(pid)], {
    stdio: "ignore",
  });
}
