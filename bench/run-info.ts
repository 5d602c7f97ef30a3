/**
 * When and on what a benchmark run was taken, for the charts and result pages: the figures
 * only mean something next to the machine that produced them.
 */
import { execFileSync } from "node:child_process";
import os from "node:os";
import { findPython } from "../test/harness/python.js";
import type { RunInfo } from "./chart.js";

/** `date` as `YYYY-MM-DD HH:MM UTC`. */
export function runDate(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** This machine and the interpreters the benchmarks use. */
export function describeMachine(): string {
  const cpus = os.cpus();
  const memory = `${Math.round(os.totalmem() / 2 ** 30)} GiB`;
  const python = execFileSync(
    findPython(),
    ["-c", "import sys, Pyro4; print(sys.version.split()[0], Pyro4.__version__)"],
    { encoding: "utf8" },
  )
    .trim()
    .split(" ");
  return [
    `${cpus[0]?.model.trim() ?? "unknown CPU"} × ${cpus.length}`,
    memory,
    `${os.type()} ${os.release()}`,
    `Node ${process.versions.node}`,
    `Python ${python[0]} with Pyro4 ${python[1]}`,
  ].join(", ");
}

/** The run info for a run starting now. */
export function currentRun(): RunInfo {
  return { date: runDate(new Date()), machine: describeMachine() };
}
