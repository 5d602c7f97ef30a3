/**
 * Run the built CLI (`node bin/pyrogen.js …`) the way a user does, with a loopback-only
 * name-server environment, and collect its exit code and output.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT } from "../harness/python.js";

/** What one CLI run produced. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `node [nodeArgs] bin/pyrogen.js …args`; never rejects, whatever the exit code. */
export function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string>; nodeArgs?: readonly string[] } = {},
): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("PYRO_") && key !== "CI") env[key] = value;
  }
  // Discovery stays on loopback, whatever the test does.
  Object.assign(env, { PYRO_BROADCAST_ADDRS: "127.0.0.1", PYRO_NS_HOST: "127.0.0.1" }, options.env);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...(options.nodeArgs ?? []), path.join(ROOT, "bin", "pyrogen.js"), ...args],
      { cwd: options.cwd ?? ROOT, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A fresh temporary folder and its remover. */
export async function tempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), "pyrogen-cli-"));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
