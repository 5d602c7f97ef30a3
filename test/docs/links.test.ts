/**
 * Relative links and images in the README and the docs (docs/bench/ included) point at
 * files that exist: a chart or page the docs name is really there.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../harness/python.js";

function markdownFiles(): string[] {
  const under = (dir: string): string[] =>
    readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
      const file = `${dir}/${entry.name}`;
      if (entry.isDirectory()) return under(file);
      return entry.name.endsWith(".md") ? [file] : [];
    });
  return ["README.md", "packages/runtime/README.md", ...under("docs")];
}

describe("links in the docs", () => {
  it("point at files that exist", () => {
    const broken: string[] = [];
    let checked = 0;
    for (const file of markdownFiles()) {
      const text = readFileSync(path.join(ROOT, file), "utf8").replace(/```[\s\S]*?```/g, "");
      for (const match of text.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)) {
        const target = match[1]!.split("#")[0]!;
        if (target === "" || /^[a-z]+:/.test(target)) continue;
        checked++;
        if (!existsSync(path.resolve(ROOT, path.dirname(file), target))) {
          broken.push(`${file}: ${match[1]}`);
        }
      }
    }
    expect(broken).toEqual([]);
    expect(checked).toBeGreaterThan(5);
  });
});
