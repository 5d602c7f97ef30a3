/**
 * Benchmark part `codegen`: case `500-methods` is the wall time of
 * `node bin/pyrogen.js --metadata <snapshot> -o <file>` for an object with 500 methods (and
 * 10 attributes) — the whole CLI run as a build step sees it: start-up, snapshot, ts-morph,
 * prettier, write. Median of 7 runs after one warm-up. No Python counterpart exists, so the
 * python column is null; the ratio is against the 2000 ms target (target / measured, so
 * > 1 means faster than the target).
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchRow } from "../lib.js";
import { median } from "../stats.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const TARGET_MS = 2000;
const RUNS = 7;

/** Run the part. */
export async function run(): Promise<BenchRow[]> {
  const dir = await mkdtemp(path.join(tmpdir(), "pyrogen-bench-codegen-"));
  try {
    const methods = Array.from({ length: 500 }, (_, i) => `method_${String(i).padStart(3, "0")}`);
    const snapshot = path.join(dir, "big.json");
    await writeFile(
      snapshot,
      JSON.stringify({
        format: "pyrogen-metadata/1",
        uri: "PYRO:big@127.0.0.1:9999",
        metadata: {
          methods,
          oneway: methods.slice(0, 25),
          attrs: Array.from({ length: 10 }, (_, i) => `attr_${i}`),
        },
      }),
    );
    const args = [
      path.join(ROOT, "bin", "pyrogen.js"),
      "--metadata",
      snapshot,
      "-o",
      path.join(dir, "big.ts"),
    ];
    const once = (): number => {
      const start = performance.now();
      const result = spawnSync(process.execPath, args, { encoding: "utf8" });
      const elapsed = performance.now() - start;
      if (result.status !== 0)
        throw new Error(`pyrogen failed (${result.status}): ${result.stderr}`);
      return elapsed;
    };
    once();
    const times = Array.from({ length: RUNS }, once);
    const wall = median(times);
    return [
      {
        case: "500-methods",
        serializer: "-",
        metric: "wall ms",
        pyrogen: wall,
        python: null,
        ratio: TARGET_MS / wall,
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
