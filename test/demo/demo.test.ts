/**
 * The README's first command, `npm run demo`, end to end: it starts the bundled music server
 * and a name server, generates the client from the server's source, compiles
 * examples/music-demo.ts with it and runs it. The script stops its servers itself; this test
 * stops the script's whole process group if it does not end in time.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../harness/python.js";

interface Run {
  code: number | null;
  output: string;
}

function runDemo(timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [path.join(ROOT, "scripts", "demo.sh")], {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      // The script's trap stops its servers on SIGTERM.
      if (child.pid !== undefined) process.kill(-child.pid, "SIGTERM");
      reject(new Error(`the demo did not end within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe("npm run demo", () => {
  it(
    "generates the music server's client, compiles the example and runs it",
    { timeout: 180_000 },
    async () => {
      const { code, output } = await runDemo(170_000);
      expect(code, output).toBe(0);
      expect(output).toMatch(/(wrote|unchanged) examples\/music-server\.generated\.ts: 8 methods/);
      expect(output).toContain(
        "songs:           [ 'Smells Like Teen Spirit', 'Wonderwall', 'Zombie', 'Creep' ]",
      );
      expect(output).toContain("batch (1 message): playing Zombie | Zombie | 2 queued");
      expect(output).toContain("streamed item:   Creep");
      expect(output).toContain(
        "caught __main__.PlaybackError: remote PlaybackError: the amplifier is on fire",
      );
      expect(output).toContain("demo: done; stopping the servers");
    },
  );
});
