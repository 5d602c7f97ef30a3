/**
 * Progress: `[i/n]` lines for multi-target runs and a seconds counter while connecting or
 * waiting (one target too) on a terminal; silent in CI, in pipes and with --quiet.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { Progress } from "../../src/cli/progress.js";
import { PythonProcesses, ROOT } from "../harness/python.js";

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

  it("stays quiet in CI, in a pipe, with --quiet, and prints no [1/1] for one target", () => {
    expect(capture(true, "true", steps(2))).toEqual([]);
    expect(capture(false, undefined, steps(2))).toEqual([]);
    expect(capture(true, undefined, steps(2, true))).toEqual([]);
    expect(capture(true, undefined, steps(1))).toEqual([]);
  });
});

describe("Progress.during", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Run `during` over a wait of `ms` (fake time) and return what it wrote. */
  async function waiting(tty: boolean, ci: string | undefined, quiet: boolean, ms: number) {
    vi.useFakeTimers();
    stderr.isTTY = tty;
    if (ci === undefined) delete process.env["CI"];
    else process.env["CI"] = ci;
    const lines: string[] = [];
    const spy = vi
      .spyOn(process.stderr, "write")
      .mockImplementation((chunk: string | Uint8Array) => {
        lines.push(String(chunk));
        return true;
      });
    try {
      const work = new Promise((resolve) => setTimeout(() => resolve("metadata"), ms));
      const result = new Progress(1, quiet).during("connecting to PYRO:x@h:1", work);
      await vi.advanceTimersByTimeAsync(ms);
      return { lines, result: await result };
    } finally {
      spy.mockRestore();
    }
  }

  it("counts the seconds of a wait on a terminal, for one target, then erases the line", async () => {
    const { lines, result } = await waiting(true, undefined, false, 2700);
    expect(result).toBe("metadata");
    expect(lines).toEqual([
      "\r\x1b[2Kpyrogen: connecting to PYRO:x@h:1… 0 s",
      "\r\x1b[2Kpyrogen: connecting to PYRO:x@h:1… 1 s",
      "\r\x1b[2Kpyrogen: connecting to PYRO:x@h:1… 2 s",
      "\r\x1b[2K",
    ]);
  });

  it("says nothing about a wait shorter than half a second", async () => {
    expect((await waiting(true, undefined, false, 400)).lines).toEqual([]);
  });

  it("shows nothing off a terminal, in CI or with --quiet, and passes failures through", async () => {
    expect((await waiting(false, undefined, false, 2500)).lines).toEqual([]);
    expect((await waiting(true, "1", false, 2500)).lines).toEqual([]);
    expect((await waiting(true, undefined, true, 2500)).lines).toEqual([]);
    const failure = new Progress(1, true).during("x", Promise.reject(new Error("refused")));
    await expect(failure).rejects.toThrow("refused");
  });
});

describe("the CLI on a real terminal", () => {
  const python = new PythonProcesses();
  afterAll(() => python.stopAll());

  it("counts the seconds while one target's daemon keeps it waiting", async () => {
    const { uri } = (await python.startFixture<{ uri: string }>("silent_server.py")).info;
    const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;
    const command = [
      process.execPath,
      path.join(ROOT, "bin", "pyrogen.js"),
      uri,
      "--timeout",
      "2600",
    ]
      .map(quote)
      .join(" ");
    const env: NodeJS.ProcessEnv = { ...process.env, PYRO_NS_HOST: "127.0.0.1" };
    delete env["CI"];
    // `script` gives the CLI a pseudo-terminal for its stdout and stderr, and copies it out.
    const output = await new Promise<string>((resolve) => {
      execFile("script", ["-qec", command, "/dev/null"], { env, encoding: "utf8" }, (_, stdout) =>
        resolve(stdout),
      );
    });
    expect(output).toContain(`pyrogen: connecting to ${uri}… 0 s`);
    expect(output).toContain(`pyrogen: connecting to ${uri}… 1 s`);
    expect(output).toMatch(/timeout \(no reply [^)]*2600 ms/);
  }, 90_000);
});
