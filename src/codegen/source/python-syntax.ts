/**
 * Python source → the few facts pyrogen needs: imports, classes (bases, decorators, body in
 * order), functions (parameters with kinds, annotations, defaults, docstring, whether they
 * yield, what they raise) and module-level aliases. The syntax tree comes from
 * `@lezer/python` (pure JavaScript, error-tolerant, Python 3.13 syntax); this module only
 * reads it. Nothing here runs or imports the user's code.
 */
import type { SyntaxNode } from "@lezer/common";
import { parser } from "@lezer/python";
import { children, lastExpression, SourceText, splitOn } from "./python-expressions.js";
import type {
  ParamKind,
  PyClass,
  PyExpr,
  PyFunction,
  PyImport,
  PyModule,
  PyParam,
  PyStatement,
} from "./python-model.js";

/** Parse Python `text`. Never throws: unreadable parts are reported in `errorLines`. */
export function parsePython(text: string): PyModule {
  const reader = new Reader(text);
  const top = parser.parse(text).topNode;
  const imports: PyImport[] = [];
  const registered = new Set<string>();
  const errorLines = new Set<number>();
  top.toTree().iterate({
    enter: (node) => {
      if (node.type.isError) errorLines.add(reader.line(node.from));
      if (node.name === "CallExpression") {
        const name = reader.registeredClass(node.node);
        if (name !== undefined) registered.add(name);
      }
    },
  });
  const body = reader.statements(top, imports);
  return {
    imports,
    body,
    registered: [...registered],
    errorLines: [...errorLines].sort((a, b) => a - b),
  };
}

/** Parse one expression (a docstring type, a printed type); undefined if it is not one. */
export function parseExpression(text: string): PyExpr | undefined {
  const source = `(${text}\n)`;
  const top = parser.parse(source).topNode;
  let broken = false;
  top.toTree().iterate({
    enter: (node) => {
      if (node.type.isError) broken = true;
    },
  });
  const statement = top.firstChild;
  if (broken || statement === null || statement.nextSibling !== null) return undefined;
  if (statement.name !== "ExpressionStatement") return undefined;
  const paren = statement.firstChild;
  if (paren === null || paren.nextSibling !== null) return undefined;
  const reader = new Reader(source);
  const inner = paren.name === "ParenthesizedExpression" ? paren.firstChild?.nextSibling : null;
  return inner ? reader.expr(inner) : reader.expr(paren);
}

const COMPOUND_BLOCKS = new Set(["IfStatement", "TryStatement", "WithStatement"]);

class Reader extends SourceText {
  /** Where the module-level statement being read ends. */
  #topLevelEnd = 0;

  /** The statements of a Script or Body; imports are collected into `imports`. */
  statements(container: SyntaxNode, imports: PyImport[] | undefined): PyStatement[] {
    const out: PyStatement[] = [];
    for (const node of children(container)) {
      if (container.name === "Script") this.#topLevelEnd = node.to;
      this.#statement(node, out, imports);
    }
    return out;
  }

  #statement(node: SyntaxNode, out: PyStatement[], imports: PyImport[] | undefined): void {
    switch (node.name) {
      case "ImportStatement":
        if (imports !== undefined) imports.push(...this.#imports(node));
        return;
      case "FunctionDefinition":
        out.push({ kind: "def", fn: this.#function(node, []) });
        return;
      case "ClassDefinition":
        out.push({ kind: "class", cls: this.#class(node, []) });
        return;
      case "DecoratedStatement": {
        const decorators = node
          .getChildren("Decorator")
          .map((d) => this.#decorator(d))
          .filter((d): d is PyExpr => d !== undefined);
        const definition = node.getChild("FunctionDefinition") ?? node.getChild("ClassDefinition");
        if (definition?.name === "FunctionDefinition") {
          out.push({ kind: "def", fn: this.#function(definition, decorators) });
        } else if (definition?.name === "ClassDefinition") {
          out.push({ kind: "class", cls: this.#class(definition, decorators) });
        }
        return;
      }
      case "AssignStatement": {
        const assign = this.#assignment(node);
        if (assign !== undefined) out.push(assign);
        return;
      }
      case "TypeDefinition": {
        const name = node.getChild("VariableName");
        const value = lastExpression(node);
        if (name !== null && value !== undefined && value !== name) {
          out.push({
            kind: "assign",
            targets: [this.text(name)],
            annotation: undefined,
            value: this.expr(value),
            explicitAlias: true,
            line: this.line(node.from),
          });
        }
        return;
      }
      case "StatementGroup":
        for (const child of children(node)) this.#statement(child, out, imports);
        return;
      default:
        // Definitions guarded by `if TYPE_CHECKING:`, `try: import … except …` and the like
        // still count: read every block of the compound statement in order.
        if (COMPOUND_BLOCKS.has(node.name)) {
          for (const block of node.getChildren("Body")) {
            for (const child of children(block)) this.#statement(child, out, imports);
          }
        }
    }
  }

  #imports(node: SyntaxNode): PyImport[] {
    const parts = children(node);
    const out: PyImport[] = [];
    if (parts[0]?.name === "import") {
      // import a.b as c, d
      for (const group of splitOn(parts.slice(1), ",")) {
        const asIndex = group.findIndex((n) => n.name === "as");
        const dotted = (asIndex < 0 ? group : group.slice(0, asIndex)).map((n) => this.text(n));
        const module = dotted.join("");
        if (module === "") continue;
        const alias = asIndex < 0 ? undefined : group[asIndex + 1];
        // `import a.b` binds `a`; `import a.b as c` binds the whole module to `c`.
        out.push(
          alias === undefined
            ? {
                local: module.split(".")[0]!,
                module: module.split(".")[0]!,
                member: undefined,
                level: 0,
              }
            : { local: this.text(alias), module, member: undefined, level: 0 },
        );
      }
      return out;
    }
    // from ..a.b import (x as y, z)
    const importAt = parts.findIndex((n) => n.name === "import");
    if (importAt < 0) return out;
    let level = 0;
    let module = "";
    for (const part of parts.slice(1, importAt)) {
      if (part.name === ".") {
        if (module === "") level += 1;
        else module += ".";
      } else if (part.name === "...") {
        level += 3;
      } else {
        module += this.text(part);
      }
    }
    const names = parts.slice(importAt + 1).filter((n) => n.name !== "(" && n.name !== ")");
    for (const group of splitOn(names, ",")) {
      const first = group[0];
      if (first === undefined || first.name === "*") continue;
      const asIndex = group.findIndex((n) => n.name === "as");
      const alias = asIndex < 0 ? first : group[asIndex + 1];
      if (alias === undefined) continue;
      out.push({ local: this.text(alias), module, member: this.text(first), level });
    }
    return out;
  }

  #decorator(node: SyntaxNode): PyExpr | undefined {
    // `@a.b.c(args)`: a dotted name and an optional argument list.
    let expr: PyExpr | undefined;
    for (const part of children(node)) {
      if (part.name === "VariableName") {
        const id = this.text(part);
        expr =
          expr === undefined ? { kind: "name", id } : { kind: "attribute", value: expr, attr: id };
      } else if (part.name === "ArgList" && expr !== undefined) {
        expr = this.call(expr, part);
      }
    }
    return expr;
  }

  #class(node: SyntaxNode, decorators: PyExpr[]): PyClass {
    const name = node.getChild("VariableName");
    const args = node.getChild("ArgList");
    const bases: PyExpr[] = [];
    const keywords: { name: string; value: PyExpr }[] = [];
    if (args !== null) {
      const call = this.call({ kind: "name", id: "" }, args);
      if (call.kind === "call") {
        bases.push(...call.args);
        keywords.push(...call.keywords);
      }
    }
    const body = node.getChild("Body");
    return {
      name: name === null ? "" : this.text(name),
      line: this.line(node.from),
      endLine: this.line(Math.max(this.#topLevelEnd - 1, node.from)),
      decorators,
      bases,
      keywords,
      docstring: body === null ? undefined : this.#docstring(body),
      body: body === null ? [] : this.statements(body, undefined),
    };
  }

  #function(node: SyntaxNode, decorators: PyExpr[]): PyFunction {
    const name = node.getChild("VariableName");
    const paramList = node.getChild("ParamList");
    const returnDef = node.getChild("TypeDef");
    const returnExpr = returnDef === null ? undefined : lastExpression(returnDef);
    const body = node.getChild("Body");
    const facts = body === null ? emptyBodyFacts() : this.#bodyFacts(body);
    return {
      name: name === null ? "" : this.text(name),
      line: this.line(node.from),
      decorators,
      params: paramList === null ? [] : this.#params(paramList),
      returns: returnExpr === undefined ? undefined : this.expr(returnExpr),
      docstring: body === null ? undefined : this.#docstring(body),
      isAsync: node.firstChild?.name === "async",
      ...facts,
    };
  }

  #params(list: SyntaxNode): PyParam[] {
    const params: PyParam[] = [];
    let kind: ParamKind = "positional";
    const positionalOnly = (): void => {
      for (const [index, p] of params.entries()) {
        if (p.kind === "positional") params[index] = { ...p, kind: "positional-only" };
      }
    };
    const parts = children(list).filter((n) => n.name !== "(" && n.name !== ")");
    for (const group of splitOn(parts, ",")) {
      const first = group[0];
      // lezer keeps no node for the `/` marker: it shows as an empty slot between commas.
      if (first === undefined) {
        positionalOnly();
        continue;
      }
      if (first.name === "*" || first.name === "**") {
        const variable = group.find((n) => n.name === "VariableName");
        if (first.name === "*") kind = "keyword-only";
        if (variable === undefined) continue; // bare `*`
        params.push({
          name: this.text(variable),
          kind: first.name === "*" ? "var-positional" : "var-keyword",
          annotation: this.#annotation(group),
          default: undefined,
        });
        continue;
      }
      if (first.name !== "VariableName") continue;
      const assign = group.findIndex((n) => n.name === "AssignOp");
      const defaultNode = assign < 0 ? undefined : group[assign + 1];
      params.push({
        name: this.text(first),
        kind,
        annotation: this.#annotation(group),
        default: defaultNode === undefined ? undefined : this.expr(defaultNode),
      });
    }
    // A `/` after the last parameter: `def f(a, b, /)`.
    const lastPart = parts[parts.length - 1];
    const tail = this.slice(lastPart?.to ?? list.from, list.to).replace(/#.*$/gm, "");
    if (tail.includes("/")) positionalOnly();
    return params;
  }

  #annotation(group: readonly SyntaxNode[]): PyExpr | undefined {
    const typeDef = group.find((n) => n.name === "TypeDef");
    const expr = typeDef === undefined ? undefined : lastExpression(typeDef);
    return expr === undefined ? undefined : this.expr(expr);
  }

  #assignment(node: SyntaxNode): PyStatement | undefined {
    const parts = children(node);
    const targets: string[] = [];
    let annotation: PyExpr | undefined;
    let value: PyExpr | undefined;
    for (const [index, part] of parts.entries()) {
      if (part.name === "TypeDef") {
        const expr = lastExpression(part);
        annotation = expr === undefined ? undefined : this.expr(expr);
      } else if (part.name === "AssignOp") {
        const next = parts[index + 1];
        const isLast = !parts.slice(index + 2).some((p) => p.name === "AssignOp");
        if (next !== undefined && isLast) value = this.expr(next);
      } else if (part.name === "VariableName") {
        const following = parts[index + 1];
        if (
          following === undefined ||
          following.name === "AssignOp" ||
          following.name === "TypeDef"
        ) {
          targets.push(this.text(part));
        }
      }
    }
    if (targets.length === 0) return undefined;
    return {
      kind: "assign",
      targets,
      annotation,
      value,
      explicitAlias: annotation !== undefined && isTypeAliasMarker(annotation),
      line: this.line(node.from),
    };
  }

  #docstring(body: SyntaxNode): string | undefined {
    const first = children(body).find((n) => n.name !== ":");
    if (first?.name !== "ExpressionStatement") return undefined;
    const value = first.firstChild;
    if (value === null || value.nextSibling !== null) return undefined;
    const expr = this.expr(value);
    return expr.kind === "string" && !expr.bytes ? expr.value : undefined;
  }

  #bodyFacts(body: SyntaxNode): BodyFacts {
    const raises: PyExpr[] = [];
    const returnValues: PyExpr[] = [];
    const selfAssignments: { name: string; annotation?: PyExpr }[] = [];
    const localAssignments: { name: string; value: PyExpr }[] = [];
    let isGenerator = false;
    const visit = (node: SyntaxNode): void => {
      for (const child of children(node)) {
        switch (child.name) {
          case "FunctionDefinition":
          case "ClassDefinition":
          case "LambdaExpression":
          case "DecoratedStatement":
            continue; // their yields and raises are their own
          case "YieldStatement":
          case "YieldExpression":
            isGenerator = true;
            break;
          case "RaiseStatement": {
            const raised = child.firstChild?.nextSibling;
            if (raised) {
              const expr = this.expr(raised);
              raises.push(expr.kind === "call" ? expr.func : expr);
            }
            break;
          }
          case "ReturnStatement": {
            const value = child.firstChild?.nextSibling;
            if (value) returnValues.push(this.expr(value));
            break;
          }
          case "AssignStatement": {
            const target = child.firstChild;
            const parts = children(child);
            if (
              parts.length === 3 &&
              target?.name === "VariableName" &&
              parts[1]!.name === "AssignOp"
            ) {
              localAssignments.push({ name: this.text(target), value: this.expr(parts[2]!) });
            }
            if (target?.name === "MemberExpression") {
              const parts = children(target);
              if (
                parts.length === 3 &&
                parts[0]!.name === "VariableName" &&
                this.text(parts[0]!) === "self" &&
                parts[1]!.name === "." &&
                parts[2]!.name === "PropertyName"
              ) {
                const typeDef = target.nextSibling?.name === "TypeDef" ? target.nextSibling : null;
                const annotationNode = typeDef === null ? undefined : lastExpression(typeDef);
                selfAssignments.push({
                  name: this.text(parts[2]!),
                  ...(annotationNode === undefined
                    ? {}
                    : { annotation: this.expr(annotationNode) }),
                });
              }
            }
            break;
          }
        }
        visit(child);
      }
    };
    visit(body);
    return { isGenerator, raises, returnValues, selfAssignments, localAssignments };
  }

  /** The class a `x.register(Cls(...))` / `x.register(Cls)` call registers, if any. */
  registeredClass(call: SyntaxNode): string | undefined {
    const callee = call.firstChild;
    if (callee?.name !== "MemberExpression") return undefined;
    const property = callee.lastChild;
    if (property?.name !== "PropertyName" || this.text(property) !== "register") return undefined;
    const args = call.getChild("ArgList");
    const first = args?.firstChild?.nextSibling;
    if (!first) return undefined;
    if (first.name === "VariableName") return this.text(first);
    if (first.name === "CallExpression" && first.firstChild?.name === "VariableName") {
      return this.text(first.firstChild);
    }
    return undefined;
  }
}

interface BodyFacts {
  readonly isGenerator: boolean;
  readonly raises: readonly PyExpr[];
  readonly returnValues: readonly PyExpr[];
  readonly selfAssignments: readonly { readonly name: string; readonly annotation?: PyExpr }[];
  readonly localAssignments: readonly { readonly name: string; readonly value: PyExpr }[];
}

function emptyBodyFacts(): BodyFacts {
  return {
    isGenerator: false,
    raises: [],
    returnValues: [],
    selfAssignments: [],
    localAssignments: [],
  };
}

function isTypeAliasMarker(annotation: PyExpr): boolean {
  return (
    (annotation.kind === "name" && annotation.id === "TypeAlias") ||
    (annotation.kind === "attribute" && annotation.attr === "TypeAlias")
  );
}
