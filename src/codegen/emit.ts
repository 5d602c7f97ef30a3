/**
 * The emitter: fills the skeleton in `templates/client.ts` (real, type-checked TypeScript)
 * with a {@link ClientModel} using ts-morph, then formats the result with prettier.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { format } from "prettier";
import type { SourceFile } from "ts-morph";
import type { ClientModel, InterfaceModel, MethodModel } from "./model.js";
import { tsMorph } from "./ts-morph.js";

const { Project, SyntaxKind } = tsMorph;

/** The module specifier generated code imports the runtime from. */
export const RUNTIME_MODULE = "@pyrogen/runtime";

const TEMPLATE_PATH = fileURLToPath(new URL("../../templates/client.ts", import.meta.url));
const PLACEHOLDER = "Template";

const METHOD_DOC =
  "Remote method: resolves to the result; a remote exception rejects as a `PyroError`.";
const ONEWAY_DOC =
  "Remote method, **oneway**: resolves once sent; no result or remote error comes back.";
const ATTRIBUTE_DOC =
  "Remote attribute (a Python property): reading fetches the value; write it with `$set`.";

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
  const runtimeImport = file.getImportDeclarations()[0]!;
  runtimeImport.setModuleSpecifier(RUNTIME_MODULE);
  file
    .getVariableDeclarationOrThrow(model.descriptorName)
    .setInitializer(`${descriptorText(model, model.version)} satisfies pyrogen.ClientDescriptor`);

  const api = file.getInterfaceOrThrow(model.typeName);
  api.getPropertyOrThrow("placeholder").remove();
  // One text insertion: much faster than a structure per member for 500-method objects.
  const members = memberTexts(model, model.descriptor.serializer !== undefined);
  if (members.length > 0) api.addMember(members.join("\n"));
  if (model.doc.length > 0) {
    // The class's docstring first, then what every client interface is.
    const standard = api.getJsDocs()[0]!;
    const lines = standard
      .getInnerText()
      .split("\n")
      .map((line) => line.replace(/^\s*\*\s?/, ""));
    standard.replaceWithText(comment([...model.doc, "", ...lines.filter((l) => l.trim() !== "")]));
  }

  if (model.writable !== undefined) {
    file
      .getTypeAliasOrThrow(model.clientTypeName)
      .setType(`pyrogen.Client<${model.typeName}, ${union(model.writable)}>`);
    const factory = file.getFunctionOrThrow(`connect${model.typeName}`);
    factory.setBodyText(
      `return pyrogen.createClient<${model.typeName}, ${union(model.writable)}>(` +
        `${model.descriptorName}, { ...options, uri });`,
    );
  }
  if (model.descriptor.uri === undefined) {
    // Generated from source alone: there is no default URI to fall back on.
    file
      .getVariableStatementOrThrow(model.descriptorName)
      .getJsDocs()[0]
      ?.replaceWithText(
        "/** The remote object as its Python source exposes it: the names it exposes. */",
      );
    const uri = file.getFunctionOrThrow(`connect${model.typeName}`).getParameterOrThrow("uri");
    uri.removeInitializer();
    file
      .getFunctionOrThrow(`connect${model.typeName}`)
      .getJsDocs()[0]
      ?.replaceWithText(
        "/**\n * A typed client for the remote object at `uri` (a URI string or `URI`, or a live " +
          "proxy or client of it).\n * `options` are the runtime's proxy options (serializer, " +
          "timeoutMs, hmacKey, tls, …).\n */",
      );
  }

  // The source's named types, schemas and returned clients come before the descriptor that
  // refers to them.
  const preamble = [
    ...model.declarations,
    ...model.schemas,
    ...model.returnedClients.map((client) => returnedClientText(client, model.version)),
  ];
  if (preamble.length > 0) {
    file.insertStatements(runtimeImport.getChildIndex() + 1, `\n${preamble.join("\n\n")}`);
  }
  if (model.validate) {
    file.insertStatements(runtimeImport.getChildIndex() + 1, 'import { z } from "zod";');
  }
  const imports = model.moduleImports.map(
    ({ alias, module }) => `import * as ${alias} from ${module};`,
  );
  if (imports.length > 0)
    file.insertStatements(runtimeImport.getChildIndex() + 1, imports.join("\n"));
}

function descriptorText(model: InterfaceModel, version: string): string {
  const d = model.descriptor;
  const lines = [
    `pyrogenVersion: ${JSON.stringify(version)},`,
    ...(d.uri === undefined ? [] : [`uri: ${d.uri},`]),
    `methods: Object.freeze([${d.methods.join(", ")}]),`,
    `oneway: Object.freeze([${d.oneway.join(", ")}]),`,
    `attrs: Object.freeze([${d.attrs.join(", ")}]),`,
    ...(d.serializer === undefined ? [] : [`serializer: ${d.serializer},`]),
    ...(d.protocol === undefined ? [] : [`protocol: ${d.protocol},`]),
    ...(d.checks.length === 0 ? [] : [`checks: Object.freeze({ ${d.checks.join(",\n")} }),`]),
    ...(d.clients.length === 0 ? [] : [`clients: Object.freeze({ ${d.clients.join(",\n")} }),`]),
    ...(d.parameters.length === 0
      ? []
      : [`parameters: Object.freeze({ ${d.parameters.join(",\n")} }),`]),
  ];
  return `Object.freeze({\n${lines.join("\n")}\n})`;
}

/**
 * Member signatures. Without a source every member gets the standard comment; with one, a
 * member's comment is its docstring (and nothing when it has none, but the oneway note).
 */
function memberTexts(model: InterfaceModel, fromSource: boolean): string[] {
  const doc = (lines: readonly string[], standard: string | undefined): string =>
    lines.length > 0 ? `${comment(lines)}\n` : standard === undefined ? "" : `/** ${standard} */\n`;
  return [
    ...model.methods.map((method) => {
      const standard = method.oneway ? ONEWAY_DOC : fromSource ? undefined : METHOD_DOC;
      return doc(method.doc, standard) + methodSignature(method);
    }),
    ...model.attrs.map(
      (a) =>
        doc(a.doc, fromSource ? undefined : ATTRIBUTE_DOC) +
        `readonly ${a.member}: Promise<${a.type}>;`,
    ),
  ];
}

/** The interface, descriptor and client type of an object a method returns. */
function returnedClientText(model: InterfaceModel, version: string): string {
  const doc = model.doc.length > 0 ? `${comment(model.doc)}\n` : "";
  const members = memberTexts(model, true);
  const writable = union(model.writable ?? model.descriptor.attrs);
  return (
    `${doc}export interface ${model.typeName} {\n${members.join("\n")}\n}\n\n` +
    `/** The object as the source exposes it; its proxies arrive as {@link ${model.clientTypeName}}. */\n` +
    `export const ${model.descriptorName} = ${descriptorText(model, version)} satisfies pyrogen.ClientDescriptor;\n\n` +
    `/** A typed client of a {@link ${model.typeName}} a method returned. */\n` +
    `export type ${model.clientTypeName} = pyrogen.Client<${model.typeName}, ${writable}>;`
  );
}

function methodSignature(method: MethodModel): string {
  const params = method.params
    .map((p) => `${p.rest ? "..." : ""}${p.name}${p.optional ? "?" : ""}: ${p.type}`)
    .join(", ");
  return `${method.member}(${params}): Promise<${method.returns}>;`;
}

function comment(lines: readonly string[]): string {
  if (lines.length === 1) return `/** ${lines[0]} */`;
  return `/**\n${lines.map((line) => ` * ${line}`.trimEnd()).join("\n")}\n */`;
}

function union(literals: readonly string[]): string {
  return literals.length === 0 ? "never" : literals.join(" | ");
}
