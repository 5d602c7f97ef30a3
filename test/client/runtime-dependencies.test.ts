/**
 * The runtime (what generated modules import as `pyrogen/runtime`) depends on node
 * builtins only (its msgpack codec is its own), and never on codegen or the CLI — so a
 * generated client never loads commander, ts-morph, prettier or zod.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../harness/python.js";

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return sourceFiles(full);
      return Promise.resolve(entry.name.endsWith(".ts") ? [full] : []);
    }),
  );
  return nested.flat();
}

describe("runtime dependencies", () => {
  it("imports only relative modules inside src/runtime and node builtins", async () => {
    const runtime = path.join(ROOT, "src", "runtime");
    const offending: string[] = [];
    let seen = 0;
    for (const file of await sourceFiles(runtime)) {
      const text = await readFile(file, "utf8");
      for (const match of text.matchAll(
        /(?:^|\n)\s*(?:import|export)[^;]*?from\s+"([^"]+)"|import\s*\(\s*"([^"]+)"\s*\)|^import\s+"([^"]+)"/gm,
      )) {
        const specifier = match[1] ?? match[2] ?? match[3]!;
        seen++;
        const allowed =
          specifier.startsWith("node:") ||
          (specifier.startsWith(".") &&
            path.resolve(path.dirname(file), specifier).startsWith(runtime));
        if (!allowed) offending.push(`${path.relative(ROOT, file)}: ${specifier}`);
      }
    }
    expect(offending).toEqual([]);
    // The scan really reads the imports (the runtime has well over a hundred).
    expect(seen).toBeGreaterThan(100);
  });
});
