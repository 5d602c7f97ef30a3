/**
 * docs/internals.md says what the two entries of `@pyrogen/runtime` export and where the
 * names of the old flat entry went; this holds it to the entries themselves (src/runtime/
 * index.ts and wire.ts, which the package bundles).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import * as entry from "../../src/runtime/index.js";
import * as wire from "../../src/runtime/wire.js";
import { ROOT } from "../harness/python.js";

const doc = readFileSync(path.join(ROOT, "docs", "internals.md"), "utf8");
const section = doc.slice(
  doc.indexOf("### The public entry and the wire subpath"),
  doc.indexOf("### Module map of the runtime"),
);
/** The bullet of the section that starts with `**title**`, joined into one line. */
function bullet(title: string): string {
  const start = section.indexOf(`- **${title}**`);
  expect(start, title).toBeGreaterThanOrEqual(0);
  const end = section.indexOf("\n- ", start + 1);
  return section.slice(start, end < 0 ? undefined : end).replace(/\s+/g, " ");
}
/** The backquoted JavaScript names in `text`. */
function names(text: string): string[] {
  return [...text.matchAll(/`([A-Za-z_$][\w$]*)`/g)].map((match) => match[1]!);
}
const publicNames = Object.keys(entry);
const wireNames = Object.keys(wire);

describe("docs/internals.md on the public API", () => {
  it("gives the number of values each entry exports", () => {
    const flat = section.replace(/\s+/g, " ");
    expect(flat).toContain(`use, each documented: ${publicNames.length} values`);
    expect(flat).toContain(`(\`src/runtime/wire.ts\`, ${wireNames.length} values)`);
  });

  it("lists names the public entry exports as staying there", () => {
    const staying = names(bullet("Stay in the public entry"));
    expect(staying.length).toBeGreaterThan(30);
    expect(staying.filter((name) => !publicNames.includes(name))).toEqual([]);
  });

  it("lists names the wire subpath exports, and the moved ones left the public entry", () => {
    const text = bullet("Moved to `@pyrogen/runtime/wire`");
    const [moved, alsoThere] = text.split("The subpath also has") as [string, string];
    expect(names(moved).length).toBeGreaterThan(10);
    expect(
      names(moved).filter((name) => !wireNames.includes(name) || publicNames.includes(name)),
    ).toEqual([]);
    expect(names(alsoThere).filter((name) => !wireNames.includes(name))).toEqual([]);
  });

  it("lists as gone names that neither entry exports", () => {
    const gone = names(bullet("Gone").split("(")[0]!);
    expect(gone).toEqual(["proxyHooks", "AsyncCalls"]);
    expect(gone.filter((name) => publicNames.includes(name) || wireNames.includes(name))).toEqual(
      [],
    );
  });
});
