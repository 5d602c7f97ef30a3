/**
 * The runtime's layer rules as data, and the checks over its import graph: the table in
 * docs/internals.md ("Runtime layers") parsed, every import of a module read from its syntax
 * tree (value and type imports, re-exports, `import()` calls and `import("…")` types), and
 * the edges that break the table or close a cycle.
 */
import path from "node:path";
import ts from "typescript";

/** One row of the layer table. */
export interface Layer {
  readonly name: string;
  /** Paths under src/runtime; `*` stands for any file name in one folder, `{a,b}` for either. */
  readonly patterns: readonly string[];
  /** The layers its files may import besides their own. */
  readonly mayImport: readonly string[];
}

/** One import of a module: what it names and how. */
export interface ImportSite {
  readonly specifier: string;
  readonly kind: "import" | "import type" | "export from" | "import()" | "import type()";
}

/** The marker line the layer table follows in docs/internals.md. */
export const TABLE_MARKER =
  "<!-- layer table: test/runtime/layers.test.ts checks the runtime against it -->";

/** The layer table that follows {@link TABLE_MARKER} in `markdown`. */
export function parseLayerTable(markdown: string): Layer[] {
  const lines = markdown.split("\n");
  const start = lines.indexOf(TABLE_MARKER);
  if (start < 0) throw new Error(`no line "${TABLE_MARKER}"`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith("|")) {
      if (rows.length === 0 && line.trim() === "") continue;
      break;
    }
    rows.push(
      line
        .split("|")
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  }
  const [header, rule, ...body] = rows;
  if (header?.[0] !== "layer" || header[1] !== "files" || header[2] !== "may import") {
    throw new Error(
      `the layer table's header must be | layer | files | may import | …, not ${JSON.stringify(header)}`,
    );
  }
  if (rule === undefined || !rule.every((cell) => /^:?-+:?$/.test(cell))) {
    throw new Error("the layer table has no header rule");
  }
  return body.map(([name, files, mayImport]) => ({
    name: unquote(name ?? ""),
    patterns: listOf(files ?? "").flatMap(expandBraces),
    mayImport: mayImport === "—" ? [] : listOf(mayImport ?? ""),
  }));
}

function unquote(cell: string): string {
  return cell.replace(/^`|`$/g, "");
}

/** The comma-separated, backquoted items of a cell (commas inside braces belong to the item). */
function listOf(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1]!);
}

/** `a/{b,c}.ts` → `a/b.ts`, `a/c.ts` (one brace group). */
function expandBraces(pattern: string): string[] {
  const match = /\{([^}]*)\}/.exec(pattern);
  if (match === null) return [pattern];
  return match[1]!
    .split(",")
    .map(
      (choice) =>
        pattern.slice(0, match.index) + choice + pattern.slice(match.index + match[0].length),
    );
}

/** Whether `file` (relative to src/runtime, `/`-separated) matches `pattern`. */
export function matches(pattern: string, file: string): boolean {
  if (!pattern.includes("*")) return pattern === file;
  const [folder, name] = [path.posix.dirname(pattern), path.posix.basename(pattern)];
  if (path.posix.dirname(file) !== folder) return false;
  const [before, after] = name.split("*") as [string, string];
  const base = path.posix.basename(file);
  return (
    base.startsWith(before) && base.endsWith(after) && base.length >= before.length + after.length
  );
}

/** Every module specifier `source` imports, by kind. */
export function importsOf(fileName: string, source: string): ImportSite[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  const sites: ImportSite[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const typeOnly = node.importClause?.isTypeOnly === true;
      sites.push({
        specifier: node.moduleSpecifier.text,
        kind: typeOnly ? "import type" : "import",
      });
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      sites.push({ specifier: node.moduleSpecifier.text, kind: "export from" });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] !== undefined
    ) {
      const argument = node.arguments[0];
      // A computed specifier cannot be checked: report it so the check fails on it.
      sites.push({
        specifier: ts.isStringLiteralLike(argument)
          ? argument.text
          : `<computed: ${argument.getText(file)}>`,
        kind: "import()",
      });
    } else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteral(node.argument.literal)
    ) {
      sites.push({ specifier: node.argument.literal.text, kind: "import type()" });
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference)
    ) {
      const expression = node.moduleReference.expression;
      if (ts.isStringLiteral(expression))
        sites.push({ specifier: expression.text, kind: "import" });
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return sites;
}

/** An import edge between two runtime modules. */
export interface Edge {
  readonly from: string;
  readonly to: string;
  readonly kind: ImportSite["kind"];
}

/**
 * What breaks the table: a file in no layer or in two, a row that matches no file, a layer
 * allowed to import itself or a layer below it in the table (which could close a cycle
 * between layers), and each edge into a layer its source's layer may not import.
 */
export function layerViolations(
  layers: readonly Layer[],
  files: readonly string[],
  edges: readonly Edge[],
): string[] {
  const problems: string[] = [];
  const order = new Map(layers.map((layer, index) => [layer.name, index]));
  if (order.size !== layers.length) problems.push("two layers have the same name");
  layers.forEach((layer, index) => {
    for (const allowed of layer.mayImport) {
      const at = order.get(allowed);
      if (at === undefined)
        problems.push(`layer ${layer.name} may import ${allowed}, which is not a layer`);
      else if (at >= index) {
        problems.push(
          `layer ${layer.name} may import ${allowed}, which is not above it in the table`,
        );
      }
    }
    for (const pattern of layer.patterns) {
      if (!files.some((file) => matches(pattern, file))) {
        problems.push(`layer ${layer.name}: \`${pattern}\` matches no file`);
      }
    }
  });
  const layerOf = new Map<string, Layer>();
  for (const file of files) {
    const owners = layers.filter((layer) =>
      layer.patterns.some((pattern) => matches(pattern, file)),
    );
    if (owners.length !== 1) {
      problems.push(
        owners.length === 0
          ? `${file} is in no layer`
          : `${file} is in ${owners.length} layers (${owners.map((owner) => owner.name).join(", ")})`,
      );
    } else layerOf.set(file, owners[0]!);
  }
  for (const edge of edges) {
    const from = layerOf.get(edge.from);
    const to = layerOf.get(edge.to);
    if (from === undefined || to === undefined || from === to) continue;
    if (!from.mayImport.includes(to.name)) {
      problems.push(
        `${edge.from} (${from.name}) ${edge.kind} ${edge.to} (${to.name}); ` +
          `${from.name} may import ${from.mayImport.join(", ") || "nothing"}`,
      );
    }
  }
  return problems;
}

/** Each import cycle among `files`, as the path around it (`a → b → a`), once. */
export function importCycles(files: readonly string[], edges: readonly Edge[]): string[] {
  const next = new Map<string, string[]>(files.map((file) => [file, []]));
  for (const edge of edges) next.get(edge.from)?.push(edge.to);
  const cycles: string[] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, "open");
    stack.push(file);
    for (const target of new Set(next.get(file) ?? [])) {
      const seen = state.get(target);
      if (seen === "open") {
        cycles.push([...stack.slice(stack.indexOf(target)), target].join(" → "));
      } else if (seen === undefined) visit(target);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of [...files].sort()) if (!state.has(file)) visit(file);
  return cycles;
}
