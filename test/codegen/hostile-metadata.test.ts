/**
 * Hostile metadata cannot inject code: for arbitrary remote names, the generated module
 * parses without errors and has exactly the template's statements and one interface member
 * per emitted name.
 */
import fc from "fast-check";
import { ts } from "ts-morph";
import { describe, expect, it } from "vitest";
import { generateModule } from "../../src/codegen/generate.js";
import { normalizeMetadata } from "../../src/codegen/metadata.js";
import { isReservedMember } from "../../src/codegen/names.js";

const NASTY = [
  '"',
  "'",
  "`",
  "\n",
  "\r",
  "*/",
  "/*",
  "//",
  "${",
  "}",
  "\u202e",
  "\u200b",
  "\u2028",
  "\ud800",
  "\\",
  "<",
  "__proto__",
  "constructor",
  "then",
  "$",
];

const hostileName = fc.oneof(
  fc.string({ unit: "binary", maxLength: 12 }),
  fc
    .array(fc.constantFrom(...NASTY), { minLength: 1, maxLength: 5 })
    .map((parts) => parts.join("")),
);

function kindName(node: ts.Node): string {
  if (ts.isImportDeclaration(node)) return "ImportDeclaration";
  if (ts.isVariableStatement(node)) return "VariableStatement";
  if (ts.isInterfaceDeclaration(node)) return "InterfaceDeclaration";
  if (ts.isTypeAliasDeclaration(node)) return "TypeAliasDeclaration";
  if (ts.isFunctionDeclaration(node)) return "FunctionDeclaration";
  return `other(${node.kind})`;
}

function parse(code: string): ts.SourceFile {
  return ts.createSourceFile("generated.ts", code, ts.ScriptTarget.Latest, true);
}

describe("hostile metadata", () => {
  it("never changes the module's structure", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(hostileName, { maxLength: 8 }),
        fc.uniqueArray(hostileName, { maxLength: 3 }),
        hostileName,
        async (methods, attrs, uriTail) => {
          const metadata = normalizeMetadata({ methods, oneway: methods.slice(0, 2), attrs });
          const { code } = await generateModule(metadata, {
            typeName: "Target",
            uri: `PYRO:${uriTail}`,
          });
          const file = parse(code);
          const diagnostics = (file as unknown as { parseDiagnostics: readonly unknown[] })
            .parseDiagnostics;
          expect(diagnostics).toEqual([]);
          expect(file.statements.map(kindName)).toEqual([
            "ImportDeclaration",
            "VariableStatement",
            "InterfaceDeclaration",
            "TypeAliasDeclaration",
            "TypeAliasDeclaration",
            "TypeAliasDeclaration",
            "TypeAliasDeclaration",
            "TypeAliasDeclaration",
            "FunctionDeclaration",
          ]);
          const api = file.statements[2] as ts.InterfaceDeclaration;
          const attrSet = new Set(metadata.attrs);
          const expected =
            metadata.methods.filter((n) => !attrSet.has(n) && !isReservedMember(n)).length +
            metadata.attrs.filter((n) => !isReservedMember(n)).length;
          expect(api.members).toHaveLength(expected);
          // Comments only ever hold pyrogen's own text.
          expect(
            code.split("\n").filter((l) => l.startsWith("//") && !l.startsWith("// @generated")),
          ).toEqual([
            `// source: ${JSON.stringify(`PYRO:${uriTail}`).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)}`,
            "// options: name=Target",
          ]);
        },
      ),
      { numRuns: 30 },
    );
  }, 60_000);
});
