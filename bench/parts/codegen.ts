/**
 * Benchmark part `codegen`: the wall time of whole CLI runs as a build step sees them
 * (start-up, input, ts-morph, prettier, write). Median of 7 runs after one warm-up. No Python
 * counterpart exists, so the python column is null; the ratio is against the case's target
 * (target / measured, so > 1 means faster than the target).
 *
 * - `500-methods`: `pyrogen --metadata <snapshot> -o <file>` for an object with 500 methods
 *   and 10 attributes; target 2000 ms.
 * - `source-500-methods`: `pyrogen --source big.py -o <file>` for an annotated Python class
 *   with 500 methods (parameters with defaults, keyword-only ones, TypedDict and list
 *   results, docstrings) and 10 properties, names from the source alone; target 3000 ms.
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
const SOURCE_TARGET_MS = 3000;
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
    const source = path.join(dir, "big.py");
    await writeFile(source, bigServer(methods));
    const cli = path.join(ROOT, "bin", "pyrogen.js");
    return [
      row("500-methods", TARGET_MS, [cli, "--metadata", snapshot, "-o", path.join(dir, "a.ts")]),
      row("source-500-methods", SOURCE_TARGET_MS, [
        cli,
        "--source",
        source,
        "-o",
        path.join(dir, "b.ts"),
      ]),
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function row(name: string, targetMs: number, args: string[]): BenchRow {
  const once = (): number => {
    const start = performance.now();
    const result = spawnSync(process.execPath, args, { encoding: "utf8" });
    const elapsed = performance.now() - start;
    if (result.status !== 0) throw new Error(`pyrogen failed (${result.status}): ${result.stderr}`);
    return elapsed;
  };
  once();
  const wall = median(Array.from({ length: RUNS }, once));
  return {
    case: name,
    serializer: "-",
    metric: "wall ms",
    pyrogen: wall,
    python: null,
    ratio: targetMs / wall,
  };
}

/** An annotated Pyro4 server class with these method names and 10 properties. */
function bigServer(methods: readonly string[]): string {
  const lines = [
    "from typing import Optional, TypedDict",
    "import Pyro4",
    "",
    "class Item(TypedDict):",
    "    name: str",
    "    size: int",
    "",
    "@Pyro4.expose",
    "class Big(object):",
    '    """An object with many members."""',
  ];
  for (const [index, name] of methods.entries()) {
    if (index < 25) lines.push("    @Pyro4.oneway");
    lines.push(
      `    def ${name}(self, first: int, second: str = "x", *, flag: bool = False) -> ${
        index % 2 === 0 ? "list[Item]" : "Optional[dict[str, float]]"
      }:`,
      `        """Method ${index}: returns what it was given.`,
      "",
      "        :param first: a number",
      '        """',
      "        return []",
    );
  }
  for (let i = 0; i < 10; i++) {
    lines.push("    @property", `    def attr_${i}(self) -> int:`, `        return ${i}`);
  }
  return `${lines.join("\n")}\n`;
}
