/**
 * A Python source text with its `@lezer/python` syntax tree: line numbers, node text, and
 * expressions reduced to {@link PyExpr} (names, attributes, subscripts, literals, calls).
 */
import type { SyntaxNode } from "@lezer/common";
import type { PyExpr } from "./python-model.js";
import { decodeStringLiteral } from "./python-strings.js";

/** Source text, read through its syntax tree's nodes. */
export class SourceText {
  readonly #text: string;
  readonly #lineStarts: number[] = [0];

  constructor(text: string) {
    this.#text = text;
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) {
      this.#lineStarts.push(i + 1);
    }
  }

  /** 1-based line of an offset. */
  line(offset: number): number {
    let low = 0;
    let high = this.#lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.#lineStarts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  }

  /** The text between two offsets. */
  slice(from: number, to: number): string {
    return this.#text.slice(from, to);
  }

  /** A node's text. */
  text(node: SyntaxNode): string {
    return this.#text.slice(node.from, node.to);
  }

  /** Reduce an expression node. */
  expr(node: SyntaxNode): PyExpr {
    switch (node.name) {
      case "VariableName":
        return { kind: "name", id: this.text(node) };
      case "None":
        return { kind: "constant", value: null };
      case "Boolean":
        return { kind: "constant", value: this.text(node) === "True" };
      case "...":
      case "Ellipsis":
        return { kind: "constant", value: "..." };
      case "Number":
        return { kind: "number", text: this.text(node) };
      case "String": {
        const decoded = decodeStringLiteral(this.text(node));
        return decoded === undefined
          ? { kind: "other", text: this.text(node) }
          : { kind: "string", value: decoded.value, bytes: decoded.bytes };
      }
      case "ContinuedString": {
        const pieces = children(node).map((part) => this.expr(part));
        if (pieces.every((p) => p.kind === "string")) {
          return {
            kind: "string",
            value: pieces.map((p) => (p.kind === "string" ? p.value : "")).join(""),
            bytes: pieces[0]?.kind === "string" && pieces[0].bytes,
          };
        }
        return { kind: "other", text: this.text(node) };
      }
      case "ParenthesizedExpression": {
        const inner = children(node).find((n) => n.name !== "(" && n.name !== ")");
        return inner === undefined ? { kind: "other", text: this.text(node) } : this.expr(inner);
      }
      case "TupleExpression":
      case "ArrayExpression":
      case "SetExpression": {
        const items = children(node)
          .filter((n) => !["(", ")", "[", "]", "{", "}", ","].includes(n.name))
          .map((n) => this.expr(n));
        const kind =
          node.name === "TupleExpression"
            ? "tuple"
            : node.name === "ArrayExpression"
              ? "list"
              : "set";
        return { kind, items };
      }
      case "MemberExpression": {
        const parts = children(node);
        const value = parts[0];
        if (value === undefined) return { kind: "other", text: this.text(node) };
        if (parts[1]?.name === "." && parts[2]?.name === "PropertyName") {
          return { kind: "attribute", value: this.expr(value), attr: this.text(parts[2]) };
        }
        if (parts[1]?.name === "[") {
          const inside = parts.slice(2, -1);
          if (inside.some((n) => n.name === ":")) return { kind: "other", text: this.text(node) };
          const items = splitOn(inside, ",").flatMap((group) =>
            group.length === 1 ? [this.expr(group[0]!)] : [],
          );
          return { kind: "subscript", value: this.expr(value), items };
        }
        return { kind: "other", text: this.text(node) };
      }
      case "BinaryExpression": {
        const [left, op, right] = children(node);
        if (left && op && right) {
          return {
            kind: "binary",
            op: this.text(op),
            left: this.expr(left),
            right: this.expr(right),
          };
        }
        return { kind: "other", text: this.text(node) };
      }
      case "UnaryExpression": {
        const [op, operand] = children(node);
        if (op && operand) return { kind: "unary", op: this.text(op), operand: this.expr(operand) };
        return { kind: "other", text: this.text(node) };
      }
      case "CallExpression": {
        const func = node.firstChild;
        const args = node.getChild("ArgList");
        if (func === null || args === null) return { kind: "other", text: this.text(node) };
        return this.call(this.expr(func), args);
      }
      default:
        return { kind: "other", text: this.text(node) };
    }
  }

  /** A call of `func` with the arguments in `argList`. */
  call(func: PyExpr, argList: SyntaxNode): PyExpr {
    const parts = children(argList).filter((n) => n.name !== "(" && n.name !== ")");
    const args: PyExpr[] = [];
    const keywords: { name: string; value: PyExpr }[] = [];
    for (const group of splitOn(parts, ",")) {
      if (group.length === 1) {
        args.push(this.expr(group[0]!));
      } else if (
        group.length === 3 &&
        group[0]!.name === "VariableName" &&
        group[1]!.name === "AssignOp"
      ) {
        keywords.push({ name: this.text(group[0]!), value: this.expr(group[2]!) });
      }
      // `*args`, `**kwargs` and comprehensions carry nothing pyrogen reads.
    }
    return { kind: "call", func, args, keywords };
  }
}

/** A node's children, in order. */
export function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let child = node.firstChild; child !== null; child = child.nextSibling) out.push(child);
  return out;
}

/** The last child that is an expression (skips `:`, `->`, `=` and keyword tokens). */
export function lastExpression(node: SyntaxNode): SyntaxNode | undefined {
  const last = node.lastChild;
  if (last === null || [":", "->", "=", "AssignOp"].includes(last.name)) return undefined;
  return last;
}

/** Nodes split at each `separator` token (a trailing empty group dropped). */
export function splitOn(nodes: readonly SyntaxNode[], separator: string): SyntaxNode[][] {
  const groups: SyntaxNode[][] = [[]];
  for (const node of nodes) {
    if (node.name === separator) groups.push([]);
    else groups[groups.length - 1]!.push(node);
  }
  if (groups.length > 1 && groups[groups.length - 1]!.length === 0) groups.pop();
  return groups;
}
