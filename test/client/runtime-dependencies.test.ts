/**
 * The runtime (what generated modules import as `@pyrogen/runtime`) depends on node
 * builtins only (its msgpack codec is its own), and never on codegen or the CLI — so a
 * generated client never loads commander, ts-morph, prettier or zod. The CLI and the
 * generator reach the runtime only as that package: the published CLI carries no copy of it.
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

/** Every module specifier imported or re-exported by the .ts files under `dir`. */
async function importsUnder(dir: string): Promise<{ file: string; specifier: string }[]> {
  const found: { file: string; specifier: string }[] = [];
  for (const file of await sourceFiles(dir)) {
    const text = await readFile(file, "utf8");
    for (const match of text.matchAll(
      /(?:^|\n)\s*(?:import|export)[^;]*?from\s+"([^"]+)"|import\s*\(\s*"([^"]+)"\s*\)|^import\s+"([^"]+)"/gm,
    )) {
      found.push({ file, specifier: match[1] ?? match[2] ?? match[3]! });
    }
  }
  return found;
}

describe("runtime dependencies", () => {
  it("imports only relative modules inside src/runtime and node builtins", async () => {
    const runtime = path.join(ROOT, "src", "runtime");
    const found = await importsUnder(runtime);
    const offending = found
      .filter(
        ({ file, specifier }) =>
          !specifier.startsWith("node:") &&
          !(
            specifier.startsWith(".") &&
            path.resolve(path.dirname(file), specifier).startsWith(runtime)
          ),
      )
      .map(({ file, specifier }) => `${path.relative(ROOT, file)}: ${specifier}`);
    expect(offending).toEqual([]);
    // The scan really reads the imports (the runtime has well over a hundred).
    expect(found.length).toBeGreaterThan(100);
  });

  it("is imported by the CLI and the generator as @pyrogen/runtime, never by path", async () => {
    const runtime = path.join(ROOT, "src", "runtime");
    const found = [
      ...(await importsUnder(path.join(ROOT, "src", "cli"))),
      ...(await importsUnder(path.join(ROOT, "src", "codegen"))),
    ];
    const byPath = found
      .filter(
        ({ file, specifier }) =>
          specifier.startsWith(".") &&
          path.resolve(path.dirname(file), specifier).startsWith(runtime),
      )
      .map(({ file, specifier }) => `${path.relative(ROOT, file)}: ${specifier}`);
    expect(byPath).toEqual([]);
    expect(
      found.filter(({ specifier }) => specifier === "@pyrogen/runtime").length,
    ).toBeGreaterThan(3);
  });
});
