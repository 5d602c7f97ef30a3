/**
 * Python types as pyrogen models them: one small tree for what an annotation, a docstring
 * type or pyright's inference says, before it is mapped to TypeScript for a serializer
 * (`typescript-types.ts`). Built from annotation expressions by typing's rules (PEP 484,
 * 585, 604): `Optional`, `Union`, `X | Y`, `Literal`, `Annotated`, aliases, forward
 * references in strings, and classes of the source.
 */
import type { PyExpr } from "./python-model.js";
import { parseExpression } from "./python-syntax.js";
import type { SourceFile } from "./source-files.js";
import type { ClassInfo, PySymbol, Symbols } from "./symbols.js";

/** A literal value in `Literal[...]` or an enum member. */
export type LiteralValue = string | number | bigint | boolean | null;

/** A Python type. */
export type PyType =
  /** `Any`, `object`, an unresolved name, or nothing known. */
  | { readonly kind: "unknown" }
  | { readonly kind: "never" }
  | { readonly kind: "none" }
  | {
      readonly kind: "scalar";
      readonly name: "bool" | "int" | "float" | "complex" | "str" | "bytes";
    }
  | { readonly kind: "list"; readonly item: PyType }
  | { readonly kind: "tuple"; readonly items: readonly PyType[] }
  | { readonly kind: "variadic-tuple"; readonly item: PyType }
  | { readonly kind: "set"; readonly item: PyType; readonly frozen: boolean }
  | { readonly kind: "dict"; readonly key: PyType; readonly value: PyType }
  | { readonly kind: "union"; readonly members: readonly PyType[] }
  | { readonly kind: "literal"; readonly values: readonly LiteralValue[] }
  /** `Iterator[T]` / `Generator[T, …]` (streamed) or `Iterable[T]` (streamed or a list). */
  | { readonly kind: "iterator"; readonly item: PyType; readonly maybeList: boolean }
  /** A class of the source (TypedDict, NamedTuple, dataclass, enum, Pyro object, plain). */
  | { readonly kind: "class"; readonly info: ClassInfo }
  /** A named alias of the source (`Scores = dict[str, list[float]]`), kept for its name. */
  | {
      readonly kind: "alias";
      readonly name: string;
      readonly qualname: string;
      readonly target: PyType;
    }
  /** Standard-library values Pyro's serializers turn into text (or a `Date`). */
  | { readonly kind: "stdlib"; readonly name: "datetime" | "date" | "time" | "uuid" | "decimal" }
  | { readonly kind: "pyro"; readonly name: "URI" | "Proxy" };

export const UNKNOWN: PyType = Object.freeze({ kind: "unknown" });

const SCALARS: Readonly<Record<string, PyType>> = {
  "builtins.bool": { kind: "scalar", name: "bool" },
  "builtins.int": { kind: "scalar", name: "int" },
  "builtins.float": { kind: "scalar", name: "float" },
  "builtins.complex": { kind: "scalar", name: "complex" },
  "builtins.str": { kind: "scalar", name: "str" },
  "typing.LiteralString": { kind: "scalar", name: "str" },
  "builtins.bytes": { kind: "scalar", name: "bytes" },
  "builtins.bytearray": { kind: "scalar", name: "bytes" },
  "builtins.memoryview": { kind: "scalar", name: "bytes" },
  "typing.AnyStr": { kind: "scalar", name: "str" },
  "builtins.NoneType": { kind: "none" },
  "types.NoneType": { kind: "none" },
  "typing.NoReturn": { kind: "never" },
  "typing.Never": { kind: "never" },
  "typing.Any": UNKNOWN,
  "builtins.object": UNKNOWN,
  "datetime.datetime": { kind: "stdlib", name: "datetime" },
  "datetime.date": { kind: "stdlib", name: "date" },
  "datetime.time": { kind: "stdlib", name: "time" },
  "uuid.UUID": { kind: "stdlib", name: "uuid" },
  "decimal.Decimal": { kind: "stdlib", name: "decimal" },
  "Pyro4.URI": { kind: "pyro", name: "URI" },
  "Pyro5.URI": { kind: "pyro", name: "URI" },
  "Pyro4.Proxy": { kind: "pyro", name: "Proxy" },
  "Pyro5.Proxy": { kind: "pyro", name: "Proxy" },
};

// Generic containers, by what arrives: every sequence arrives as an array.
const LISTS = new Set([
  "builtins.list",
  "typing.List",
  "typing.Sequence",
  "typing.MutableSequence",
  "typing.Collection",
  "collections.deque",
  "typing.Deque",
]);
const SETS = new Set(["builtins.set", "typing.Set", "typing.AbstractSet", "typing.MutableSet"]);
const FROZEN_SETS = new Set(["builtins.frozenset", "typing.FrozenSet"]);
const DICTS = new Set([
  "builtins.dict",
  "typing.Dict",
  "typing.Mapping",
  "typing.MutableMapping",
  "collections.OrderedDict",
  "collections.defaultdict",
  "typing.DefaultDict",
  "typing.OrderedDict",
]);
const ITERATORS = new Set([
  "typing.Iterator",
  "typing.Generator",
  "typing.AsyncIterator",
  "typing.AsyncGenerator",
]);
// Wrappers whose first argument is the type that matters.
const TRANSPARENT = new Set([
  "typing.Annotated",
  "typing.Required",
  "typing.NotRequired",
  "typing.ReadOnly",
  "typing.Final",
  "typing.ClassVar",
  "typing.TypeGuard",
  "typing.TypeIs",
]);

// Short names pyright prints for types outside the source.
const PRINTED_NAMES: Readonly<Record<string, string>> = {
  Any: "typing.Any",
  Unknown: "typing.Any",
  LiteralString: "typing.LiteralString",
  NoReturn: "typing.NoReturn",
  Never: "typing.Never",
  Literal: "typing.Literal",
  Generator: "typing.Generator",
  Iterator: "typing.Iterator",
  Iterable: "typing.Iterable",
  AsyncGenerator: "typing.AsyncGenerator",
  AsyncIterator: "typing.AsyncIterator",
  Sequence: "typing.Sequence",
  Mapping: "typing.Mapping",
  datetime: "datetime.datetime",
  date: "datetime.date",
  time: "datetime.time",
  UUID: "uuid.UUID",
  Decimal: "decimal.Decimal",
  deque: "collections.deque",
  defaultdict: "collections.defaultdict",
  OrderedDict: "collections.OrderedDict",
  URI: "Pyro4.URI",
  Proxy: "Pyro4.Proxy",
  None: "builtins.NoneType",
};

/** Where names are looked up: a module's scope, as written or as pyright prints types. */
interface Scope {
  readonly file: SourceFile;
  /** pyright's printed types use short names from anywhere (`Song`, `datetime`). */
  readonly printed: boolean;
}

/** Converts annotation expressions of one source to {@link PyType}s. */
export class TypeReader {
  readonly #symbols: Symbols;
  /** Aliases being expanded, to stop at recursive ones. */
  readonly #expanding = new Set<string>();

  constructor(symbols: Symbols) {
    this.#symbols = symbols;
  }

  /** The type an annotation (or a type written in a docstring) means in `file`. */
  read(file: SourceFile, expr: PyExpr): PyType {
    return this.#read({ file, printed: false }, expr);
  }

  /**
   * The type pyright printed (`list[Song]`, `Generator[str, Any, None]`) for a member of
   * `file`. Literals are widened (`Literal[3]` → `int`): an inferred literal is what the code
   * happens to return today, not a promise.
   */
  readPrinted(file: SourceFile, text: string): PyType {
    const expr = parseExpression(text);
    return expr === undefined ? UNKNOWN : widenLiterals(this.#read({ file, printed: true }, expr));
  }

  #resolve(scope: Scope, expr: PyExpr): PySymbol {
    const symbol = this.#symbols.resolve(scope.file, expr);
    if (!scope.printed || expr.kind !== "name" || symbol.kind === "class") return symbol;
    const known = PRINTED_NAMES[expr.id];
    if (known !== undefined) return { kind: "external", qualified: known };
    const classes = this.#symbols.classes().filter((info) => info.name === expr.id);
    if (classes.length === 1) return { kind: "class", info: classes[0]! };
    return symbol;
  }

  #read(scope: Scope, expr: PyExpr): PyType {
    switch (expr.kind) {
      case "constant":
        return expr.value === null ? { kind: "none" } : UNKNOWN;
      case "string": {
        // A forward reference: the string holds an annotation.
        const inner = parseExpression(expr.value);
        return inner === undefined ? UNKNOWN : this.#read(scope, inner);
      }
      case "binary":
        return expr.op === "|"
          ? union([this.#read(scope, expr.left), this.#read(scope, expr.right)])
          : UNKNOWN;
      case "subscript":
        return this.#generic(scope, expr.value, expr.items);
      case "name":
      case "attribute":
        return this.#named(scope, expr);
      default:
        return UNKNOWN;
    }
  }

  #named(scope: Scope, expr: PyExpr): PyType {
    const symbol = this.#resolve(scope, expr);
    switch (symbol.kind) {
      case "class":
        return { kind: "class", info: symbol.info };
      case "alias":
        return this.#alias(symbol.file, symbol.name, symbol.statement.value, symbol.statement);
      case "external": {
        const q = symbol.qualified;
        if (Object.hasOwn(SCALARS, q)) return SCALARS[q]!;
        // Bare generics mean their parameters are unknown.
        if (LISTS.has(q)) return { kind: "list", item: UNKNOWN };
        if (SETS.has(q)) return { kind: "set", item: UNKNOWN, frozen: false };
        if (FROZEN_SETS.has(q)) return { kind: "set", item: UNKNOWN, frozen: true };
        if (DICTS.has(q)) return { kind: "dict", key: UNKNOWN, value: UNKNOWN };
        if (q === "builtins.tuple" || q === "typing.Tuple") {
          return { kind: "variadic-tuple", item: UNKNOWN };
        }
        if (ITERATORS.has(q)) return { kind: "iterator", item: UNKNOWN, maybeList: false };
        if (q === "typing.Iterable" || q === "typing.AsyncIterable") {
          return { kind: "iterator", item: UNKNOWN, maybeList: true };
        }
        return UNKNOWN;
      }
      default:
        return UNKNOWN;
    }
  }

  #alias(
    file: SourceFile,
    name: string,
    value: PyExpr | undefined,
    statement: { readonly explicitAlias: boolean; readonly annotation: PyExpr | undefined },
  ): PyType {
    if (value === undefined) return UNKNOWN;
    // `UserId = NewType("UserId", int)` is its base type.
    if (value.kind === "call") {
      const callee = this.#symbols.qualifiedName(file, value.func);
      if (callee === "typing.NewType" && value.args[1] !== undefined) {
        return this.read(file, value.args[1]);
      }
      return UNKNOWN;
    }
    // Only type-looking right-hand sides are aliases (`X = 3` is a constant).
    if (!statement.explicitAlias && !looksLikeType(value)) return UNKNOWN;
    const qualname = `${file.module}.${name}`;
    if (this.#expanding.has(qualname)) {
      // A recursive alias: refer to it by name; its definition is being built.
      return { kind: "alias", name, qualname, target: UNKNOWN };
    }
    this.#expanding.add(qualname);
    try {
      const target = this.read(file, value);
      if (target.kind === "unknown") return UNKNOWN;
      return { kind: "alias", name, qualname, target };
    } finally {
      this.#expanding.delete(qualname);
    }
  }

  #generic(scope: Scope, base: PyExpr, items: readonly PyExpr[]): PyType {
    const symbol = this.#resolve(scope, base);
    if (symbol.kind === "class") {
      // A generic class of the source (`Box[int]`): the class itself.
      return { kind: "class", info: symbol.info };
    }
    if (symbol.kind === "alias") {
      return this.#alias(symbol.file, symbol.name, symbol.statement.value, symbol.statement);
    }
    if (symbol.kind !== "external") return UNKNOWN;
    const q = symbol.qualified;
    const arg = (index: number): PyType =>
      items[index] === undefined ? UNKNOWN : this.#read(scope, items[index]);
    if (TRANSPARENT.has(q)) return arg(0);
    if (q === "typing.Optional") return union([arg(0), { kind: "none" }]);
    if (q === "typing.Union") return union(items.map((_, index) => arg(index)));
    if (q === "typing.Literal") return literal(items, (expr) => this.#literalOf(scope, expr));
    if (LISTS.has(q)) return { kind: "list", item: arg(0) };
    if (SETS.has(q)) return { kind: "set", item: arg(0), frozen: false };
    if (FROZEN_SETS.has(q)) return { kind: "set", item: arg(0), frozen: true };
    if (DICTS.has(q)) return { kind: "dict", key: arg(0), value: arg(1) };
    if (q === "collections.Counter" || q === "typing.Counter") {
      return { kind: "dict", key: arg(0), value: { kind: "scalar", name: "int" } };
    }
    if (q === "builtins.tuple" || q === "typing.Tuple") {
      const last = items[items.length - 1];
      if (items.length === 2 && last?.kind === "constant" && last.value === "...") {
        return { kind: "variadic-tuple", item: arg(0) };
      }
      // `tuple[()]` is the empty tuple.
      if (items.length === 1 && items[0]!.kind === "tuple" && items[0]!.items.length === 0) {
        return { kind: "tuple", items: [] };
      }
      return { kind: "tuple", items: items.map((_, index) => arg(index)) };
    }
    if (ITERATORS.has(q)) return { kind: "iterator", item: arg(0), maybeList: false };
    if (q === "typing.Iterable" || q === "typing.AsyncIterable") {
      return { kind: "iterator", item: arg(0), maybeList: true };
    }
    if (q === "builtins.type" || q === "typing.Type") return UNKNOWN;
    return UNKNOWN;
  }

  #literalOf(scope: Scope, expr: PyExpr): LiteralValue[] | undefined {
    if (expr.kind === "subscript") {
      // Literal[Literal["a"], "b"] flattens.
      const inner = this.#read(scope, expr);
      return inner.kind === "literal" ? [...inner.values] : undefined;
    }
    const value = literalValue(expr);
    return value === undefined ? undefined : [value];
  }
}

/** The value of a literal expression (str, int, float, bool, None), if it is one. */
export function literalValue(expr: PyExpr): LiteralValue | undefined {
  switch (expr.kind) {
    case "string":
      return expr.bytes ? undefined : expr.value;
    case "constant":
      return expr.value === "..." ? undefined : expr.value;
    case "number": {
      const text = expr.text.replace(/_/g, "").toLowerCase();
      if (/^(0x[0-9a-f]+|0o[0-7]+|0b[01]+|[1-9][0-9]*|0+)$/.test(text)) {
        const value = BigInt(text);
        return value <= 2n ** 53n - 1n ? Number(value) : value;
      }
      if (/^([0-9]+\.?[0-9]*|\.[0-9]+)(e[+-]?[0-9]+)?$/.test(text)) return Number(text);
      return undefined;
    }
    case "unary": {
      const inner = literalValue(expr.operand);
      if (expr.op === "-" && typeof inner === "number") return -inner;
      if (expr.op === "-" && typeof inner === "bigint") return -inner;
      return undefined;
    }
    default:
      return undefined;
  }
}

function literal(
  items: readonly PyExpr[],
  valueOf: (expr: PyExpr) => LiteralValue[] | undefined,
): PyType {
  const values: LiteralValue[] = [];
  for (const item of items) {
    const found = valueOf(item);
    if (found === undefined) return UNKNOWN;
    for (const value of found) if (!values.includes(value)) values.push(value);
  }
  return { kind: "literal", values };
}

/** `type` with every literal replaced by its base type. */
function widenLiterals(type: PyType): PyType {
  switch (type.kind) {
    case "literal":
      return union(
        type.values.map((value): PyType => {
          if (value === null) return { kind: "none" };
          if (typeof value === "string") return { kind: "scalar", name: "str" };
          if (typeof value === "boolean") return { kind: "scalar", name: "bool" };
          return { kind: "scalar", name: "int" };
        }),
      );
    case "list":
    case "set":
    case "variadic-tuple":
    case "iterator":
      return { ...type, item: widenLiterals(type.item) };
    case "tuple":
      return { ...type, items: type.items.map(widenLiterals) };
    case "dict":
      return { ...type, key: widenLiterals(type.key), value: widenLiterals(type.value) };
    case "union":
      return union(type.members.map(widenLiterals));
    default:
      return type;
  }
}

/** A union, flattened, without duplicates; `never` drops out; one member is itself. */
export function union(members: readonly PyType[]): PyType {
  const flat: PyType[] = [];
  for (const member of members) {
    const parts = member.kind === "union" ? member.members : [member];
    for (const part of parts) {
      if (part.kind === "never") continue;
      if (!flat.some((existing) => sameType(existing, part))) flat.push(part);
    }
  }
  if (flat.length === 0) return { kind: "never" };
  if (flat.some((member) => member.kind === "unknown")) {
    // `X | Any` is as unknown as Any, but `X | None` with unknown X keeps the None.
    return flat.length === 1 ? UNKNOWN : { kind: "union", members: flat };
  }
  return flat.length === 1 ? flat[0]! : { kind: "union", members: flat };
}

/** Structural equality of two types (classes and aliases by name). */
export function sameType(a: PyType, b: PyType): boolean {
  return typeKey(a) === typeKey(b);
}

function typeKey(type: PyType): string {
  switch (type.kind) {
    case "class":
      return `class:${type.info.qualname}`;
    case "alias":
      return `alias:${type.qualname}`;
    default:
      return JSON.stringify(type, (key, value: unknown) => {
        if (key === "info") return (value as ClassInfo).qualname;
        return typeof value === "bigint" ? `${value}n` : value;
      });
  }
}

/** True if `expr` is shaped like a type expression (for implicit aliases). */
function looksLikeType(expr: PyExpr): boolean {
  switch (expr.kind) {
    case "name":
    case "attribute":
    case "subscript":
      return true;
    case "binary":
      return expr.op === "|" && looksLikeType(expr.left) && looksLikeType(expr.right);
    case "constant":
      return expr.value === null;
    case "string":
      return (
        !expr.bytes && parseExpression(expr.value) !== undefined && /^[A-Za-z_]/.test(expr.value)
      );
    default:
      return false;
  }
}

/** How much of a type is known: all of it, part of it, or nothing. */
export function knowledge(type: PyType): "known" | "partly" | "unknown" {
  if (type.kind === "unknown") return "unknown";
  let unknownInside = false;
  const visit = (t: PyType, seen: Set<string>): void => {
    switch (t.kind) {
      case "unknown":
        unknownInside = true;
        return;
      case "list":
      case "set":
      case "variadic-tuple":
      case "iterator":
        visit(t.item, seen);
        return;
      case "tuple":
        t.items.forEach((item) => visit(item, seen));
        return;
      case "dict":
        visit(t.key, seen);
        visit(t.value, seen);
        return;
      case "union":
        t.members.forEach((member) => visit(member, seen));
        return;
      case "alias":
        if (!seen.has(t.qualname)) {
          seen.add(t.qualname);
          visit(t.target, seen);
        }
        return;
      default:
        return;
    }
  };
  visit(type, new Set());
  return unknownInside ? "partly" : "known";
}
