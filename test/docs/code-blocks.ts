/**
 * The examples of the docs: the fenced code blocks (ts, json, …) of `README.md` and
 * `docs/*.md`, with where each starts, so a failing example can be found in its file.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../harness/python.js";

/** One ```ts block of a Markdown file. */
export interface CodeBlock {
  /** The Markdown file, relative to the repository root. */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The code between the fences. */
  readonly code: string;
  /** Marked `// fragment` on its first line: an excerpt that is not meant to compile. */
  readonly fragment: boolean;
}

/** The first line that marks a block as an excerpt which cannot compile on its own. */
export const FRAGMENT_MARKER = "// fragment";

/** Markdown files whose examples are checked: the README and every `docs/*.md`. */
export function documentationFiles(): string[] {
  const docs = readdirSync(path.join(ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`);
  return ["README.md", ...docs];
}

/** The code blocks of one Markdown file in one of `languages` (default: TypeScript). */
export function codeBlocks(
  file: string,
  languages: readonly string[] = ["ts", "typescript"],
): CodeBlock[] {
  const lines = readFileSync(path.join(ROOT, file), "utf8").split("\n");
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!languages.includes(/^```(\S*)\s*$/.exec(lines[i]!)?.[1] ?? "")) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    if (i === lines.length) throw new Error(`${file}:${start + 1}: unclosed code block`);
    blocks.push({
      file,
      line: start + 1,
      code: body.join("\n") + "\n",
      fragment: body[0]?.trim() === FRAGMENT_MARKER,
    });
  }
  return blocks;
}
