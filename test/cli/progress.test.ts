/**
 * Progress of multi-target runs: shown on a terminal, silent in CI, in pipes, with --quiet
 * and for a single target.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { Progress } from "../../src/cli/progress.js";

const stderr = process.stderr as NodeJS.WriteStream & { isTTY: boolean | undefined };
const savedTTY = stderr.isTTY;
const savedCI = process.env["CI"];

function capture(tty: boolean, ci: string | undefined, run: () => void): string[] {
  stderr.isTTY = tty;
  if (ci === undefined) delete process.env["CI"];
  else process.env["CI"] = ci;
  const lines: string[] = [];
  const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    run();
  } finally {
    spy.mockRestore();
  }
  return lines;
}

afterEach(() => {
  stderr.isTTY = savedTTY;
  if (savedCI === undefined) delete process.env["CI"];
  else process.env["CI"] = savedCI;
});

describe("Progress", () => {
  const steps =
    (total: number, quiet = false) =>
    () => {
      const progress = new Progress(total, quiet);
      progress.step(0, 'target 1 "Music"');
      progress.step(1, 'target 2 "Lab"');
    };

  it("shows [i/n] lines on a terminal", () => {
    expect(capture(true, undefined, steps(2))).toEqual([
      '[1/2] target 1 "Music"\n',
      '[2/2] target 2 "Lab"\n',
    ]);
  });

  it("stays quiet in CI, in a pipe, with --quiet and for one target", () => {
    expect(capture(true, "true", steps(2))).toEqual([]);
    expect(capture(false, undefined, steps(2))).toEqual([]);
    expect(capture(true, undefined, steps(2, true))).toEqual([]);
    expect(capture(true, undefined, steps(1))).toEqual([]);
  });
});
