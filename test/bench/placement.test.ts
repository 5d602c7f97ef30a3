/**
 * Where the benchmarks run their processes (bench/placement.ts): the CPU lists the kernel
 * reports, the placements PYROGEN_BENCH_PLACEMENT accepts and the CPUs each one picks.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  cpusFor,
  daemonCpu,
  describe as placementText,
  parseCpuList,
  placementFrom,
  swapped,
  withPlacement,
} from "../../bench/placement.js";

describe("parseCpuList", () => {
  it("reads single CPUs and ranges", () => {
    expect(parseCpuList("0-1")).toEqual([0, 1]);
    expect(parseCpuList("0-3,6\n")).toEqual([0, 1, 2, 3, 6]);
    expect(parseCpuList("5")).toEqual([5]);
  });

  it("refuses what is not a CPU list", () => {
    expect(() => parseCpuList("0-a")).toThrow(/not a CPU list/);
    expect(() => parseCpuList("")).toThrow(/not a CPU list/);
  });
});

describe("placementFrom", () => {
  it("is pinned unless told otherwise", () => {
    expect(placementFrom(undefined)).toBe("pinned");
    expect(placementFrom("")).toBe("pinned");
    expect(placementFrom("together")).toBe("together");
    expect(placementFrom("free")).toBe("free");
  });

  it("names the choices when given another word", () => {
    expect(() => placementFrom("split")).toThrow(/use one of pinned, together, apart, free/);
  });
});

describe("daemonCpu", () => {
  it("pins clients to the first allowed CPU and a daemon where its case asks", () => {
    const cpus = cpusFor("pinned", [2, 5, 7]);
    expect(cpus).toEqual({ placement: "pinned", client: 2, other: 5 });
    expect(daemonCpu(cpus, "together")).toBe(2);
    expect(daemonCpu(cpus, "apart")).toBe(5);
  });

  it("puts every daemon together or apart when told to, whatever the case asks", () => {
    expect(daemonCpu(cpusFor("together", [0, 1]), "apart")).toBe(0);
    expect(daemonCpu(cpusFor("apart", [0, 1]), "together")).toBe(1);
  });

  it("keeps a daemon on the one CPU there is", () => {
    expect(daemonCpu(cpusFor("pinned", [3]), "apart")).toBe(3);
  });

  it("pins nothing when free, or when the allowed CPUs are unknown", () => {
    expect(cpusFor("free", [0, 1])).toEqual({ placement: "free" });
    expect(daemonCpu(cpusFor("free", [0, 1]), "apart")).toBeUndefined();
    expect(daemonCpu(cpusFor("pinned", []), "together")).toBeUndefined();
  });
});

describe("swapping the CPUs' roles", () => {
  it("exchanges the clients' CPU and the other one, and leaves free placements alone", () => {
    const cpus = cpusFor("pinned", [0, 1]);
    expect(swapped(cpus)).toEqual({ placement: "pinned", client: 1, other: 0 });
    expect(daemonCpu(swapped(cpus), "apart")).toBe(0);
    expect(daemonCpu(swapped(cpus), "together")).toBe(1);
    expect(swapped(swapped(cpus))).toEqual(cpus);
    expect(swapped(cpusFor("free", [0, 1]))).toEqual({ placement: "free" });
  });

  it("moves this process, its clients and its daemons with the roles", async () => {
    const cpusOf = (pid: number): number[] =>
      parseCpuList(
        /^Cpus_allowed_list:\s*(.+)$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]!,
      );
    const allowed = cpusOf(process.pid);
    const [client, daemon] = [spawn("sleep", ["30"]), spawn("sleep", ["30"])];
    const saved = process.env["PYROGEN_BENCH_PLACEMENT"];
    delete process.env["PYROGEN_BENCH_PLACEMENT"];
    try {
      const seen = await withPlacement(async (placer) => {
        placer.client(client.pid!);
        placer.daemon(daemon.pid!, "apart");
        const placed = [cpusOf(process.pid), cpusOf(client.pid!), cpusOf(daemon.pid!)];
        placer.swapCpus(true);
        const swappedCpus = [cpusOf(process.pid), cpusOf(client.pid!), cpusOf(daemon.pid!)];
        const wasSwapped = placer.swapped;
        const onOther = placer.onCpu(placer.roles.other!, () => cpusOf(process.pid));
        const back = cpusOf(process.pid);
        placer.swapCpus(false);
        return {
          placed,
          swappedCpus,
          wasSwapped,
          onOther,
          back,
          restored: [cpusOf(process.pid), cpusOf(client.pid!), cpusOf(daemon.pid!)],
          swappedAfter: placer.swapped,
        };
      });
      const first = allowed[0]!;
      const second = allowed[1] ?? first;
      expect(seen.placed).toEqual([[first], [first], [second]]);
      expect(seen.swappedCpus).toEqual([[second], [second], [first]]);
      expect(seen.wasSwapped).toBe(allowed.length > 1);
      expect(seen.onOther).toEqual([first]);
      expect(seen.back).toEqual([second]);
      expect(seen.restored).toEqual([[first], [first], [second]]);
      expect(seen.swappedAfter).toBe(false);
      expect(cpusOf(process.pid)).toEqual(allowed);
    } finally {
      if (saved !== undefined) process.env["PYROGEN_BENCH_PLACEMENT"] = saved;
      client.kill();
      daemon.kill();
    }
  });

  it("forgets a process that ended instead of failing to move it", async () => {
    const saved = process.env["PYROGEN_BENCH_PLACEMENT"];
    delete process.env["PYROGEN_BENCH_PLACEMENT"];
    const [client, daemon] = [spawn("sleep", ["30"]), spawn("sleep", ["30"])];
    const ended = (child: typeof client) =>
      new Promise((resolve) => {
        child.once("exit", resolve);
        child.kill();
      });
    try {
      const swappedTwice = await withPlacement(async (placer) => {
        placer.client(client.pid!);
        placer.daemon(daemon.pid!, "together");
        await Promise.all([ended(client), ended(daemon)]);
        placer.swapCpus(true);
        placer.swapCpus(false);
        return !placer.swapped;
      });
      expect(swappedTwice).toBe(true);
    } finally {
      if (saved !== undefined) process.env["PYROGEN_BENCH_PLACEMENT"] = saved;
      client.kill();
      daemon.kill();
    }
  });
});

describe("the placement line", () => {
  it("says where clients and daemons run", () => {
    expect(placementText(cpusFor("pinned", [0, 1]))).toBe(
      "placement: pinned (clients on CPU 0; daemons on CPU 0 for calls one at a time, " +
        "on CPU 1 for pipelined calls)",
    );
    expect(placementText(cpusFor("apart", [0, 1]))).toBe(
      "placement: apart (clients on CPU 0; daemons on CPU 1)",
    );
    expect(placementText(cpusFor("free", [0, 1]))).toBe("placement: free (nothing pinned)");
  });
});
