/**
 * Docstrings reach the module as comments: whatever they hold, they stay comments. A
 * docstring that tries to close the comment, start a TSDoc tag, or hide text with bidi and
 * zero-width characters changes nothing but the comment's text.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateModule } from "../../../src/codegen/generate.js";
import { readSourceTypes } from "../../../src/codegen/source/source-types.js";

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "pyrogen-hostile-doc-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const HOSTILE = [
  "Summary */ export const injected = 1; /*",
  "",
  "@internal text \u202e reversed \u200b hidden \u2028 separated",
  "",
  ":param x: ends */ here",
  ":returns: `${x}` and </script>",
  ":raises Bad*/Name: */",
].join("\n");

describe("hostile docstrings", () => {
  it("stay inside their comments, with the dangerous characters escaped", async () => {
    const file = path.join(dir, "server.py");
    await writeFile(
      file,
      `import Pyro4\n@Pyro4.expose\nclass S(object):\n    """${HOSTILE}"""\n    def f(self, x: int) -> int:\n        """${HOSTILE}"""\n        return x\n`,
    );
    const source = await readSourceTypes(
      {
        entries: [file],
        className: undefined,
        serializer: "serpent",
        infer: false,
        validate: false,
        classOverrides: {},
        metadata: undefined,
      },
      (name) => name,
    );
    const { code } = await generateModule(source.main.metadata, {
      typeName: "S",
      uri: undefined,
      source,
      serializer: "serpent",
    });
    const parsed = ts.createSourceFile("m.ts", code, ts.ScriptTarget.Latest, true);
    const exported = parsed.statements.flatMap((statement) => {
      if (ts.isVariableStatement(statement)) {
        return statement.declarationList.declarations.map((d) => d.name.getText(parsed));
      }
      const name = (statement as { name?: ts.Node }).name;
      return name === undefined ? [] : [name.getText(parsed)];
    });
    expect(exported.sort()).toEqual(
      [
        "S",
        "SAsync",
        "SAttributes",
        "SBatch",
        "SClient",
        "SDescriptor",
        "SIter",
        "connectS",
      ].sort(),
    );
    expect(code).not.toMatch(/^export const injected/m);
    expect(code).toContain("Summary *\\/ export const injected = 1; /*");
    expect(code).toContain("\\@internal text \\u202e reversed \\u200b hidden \\u2028 separated");
    expect(code).toContain("@param x - ends *\\/ here");
    expect(code).not.toMatch(/[\u202e\u200b\u2028]/);
  });
});
