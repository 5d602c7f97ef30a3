/**
 * The emitter: fills the skeleton in `templates/client.ts` (real, type-checked TypeScript)
 * with a {@link ClientModel} using ts-morph, then formats the result with prettier.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { format } from "prettier";
import type { SourceFile } from "ts-morph";
import type { ClientModel, MethodModel } from "./model.js";
import { tsMorph } from "./ts-morph.js";

const { Project, SyntaxKind } = tsMorph;

/** The module specifier generated code imports the runtime from. */
export const RUNTIME_MODULE = "pyrogen/runtime";

const TEMPLATE_PATH = fileURLToPath(new URL("../../templates/client.ts", import.meta.url));
const PLACEHOLDER = "Template";

let templateText: string | undefined;

/** Emit the module source for `model`, formatted by prettier with fixed options. */
export async function emitModule(model: ClientModel): Promise<string> {
  templateText ??= readFileSync(TEMPLATE_PATH, "utf8");
  const project = new Project({ useInMemoryFileSystem: true });
  const file = project.createSourceFile("module.ts", templateText);
  fill(file, model);
  const body = file.getFullText().slice(file.getStatements()[0]!.getStart());
  const banner = model.banner.map((line) => `// ${line}\n`).join("");
  return format(banner + body, {
    parser: "babel-ts",
    // Fixed options: the output must not depend on the user's prettier config.
    printWidth: 100,
    tabWidth: 2,
    useTabs: false,
    semi: true,
    singleQuote: false,
    trailingComma: "all",
  });
}

function fill(file: SourceFile, model: ClientModel): void {
  // Rename first, while the file is small: every placeholder identifier gets the type name.
  for (const id of file.getDescendantsOfKind(SyntaxKind.Identifier)) {
    const text = id.getText();
    if (text.includes(PLACEHOLDER)) id.replaceWithText(text.replace(PLACEHOLDER, model.typeName));
  }
  file.getImportDeclarations()[0]!.setModuleSpecifier(RUNTIME_MODULE);
  const d = model.descriptor;
  file
    .getVariableDeclarationOrThrow(`${model.typeName}Descriptor`)
    .setInitializer(
      `Object.freeze({\n` +
        `pyrogenVersion: ${JSON.stringify(model.version)},\n` +
        `uri: ${d.uri},\n` +
        `methods: Object.freeze([${d.methods.join(", ")}]),\n` +
        `oneway: Object.freeze([${d.oneway.join(", ")}]),\n` +
        `attrs: Object.freeze([${d.attrs.join(", ")}]),\n})`,
    );

  const api = file.getInterfaceOrThrow(model.typeName);
  api.getPropertyOrThrow("placeholder").remove();
  // One text insertion: much faster than a structure per member for 500-method objects.
  const members = [
    ...model.methods.map(methodSignature),
    ...model.attrs.map(
      (a) =>
        "/** Remote attribute (a Python property): reading fetches the value; write it with " +
        `\`$set\`. */\nreadonly ${a.member}: Promise<${a.type}>;`,
    ),
  ];
  if (members.length > 0) api.addMember(members.join("\n"));
}

function methodSignature(method: MethodModel): string {
  const doc = method.oneway
    ? "Remote method, **oneway**: resolves once sent; no result or remote error comes back."
    : "Remote method: resolves to the result; a remote exception rejects as a `PyroError`.";
  const params = method.params
    .map((p) => `${p.rest ? "..." : ""}${p.name}${p.optional ? "?" : ""}: ${p.type}`)
    .join(", ");
  return `/** ${doc} */\n${method.member}(${params}): Promise<${method.returns}>;`;
}
