/**
 * What pyrogen reads from Python source, as plain data: expressions reduced to what
 * annotations, decorators and defaults use, functions, classes, imports and modules.
 * `python-syntax.ts` builds it from `@lezer/python`'s syntax tree.
 */

/** An expression, reduced to what annotations, decorators and defaults use. */
export type PyExpr =
  | { readonly kind: "name"; readonly id: string }
  | { readonly kind: "attribute"; readonly value: PyExpr; readonly attr: string }
  | { readonly kind: "subscript"; readonly value: PyExpr; readonly items: readonly PyExpr[] }
  | { readonly kind: "binary"; readonly op: string; readonly left: PyExpr; readonly right: PyExpr }
  | { readonly kind: "unary"; readonly op: string; readonly operand: PyExpr }
  | { readonly kind: "string"; readonly value: string; readonly bytes: boolean }
  | { readonly kind: "number"; readonly text: string }
  | { readonly kind: "constant"; readonly value: boolean | null | "..." }
  | { readonly kind: "list" | "tuple" | "set"; readonly items: readonly PyExpr[] }
  | {
      readonly kind: "call";
      readonly func: PyExpr;
      readonly args: readonly PyExpr[];
      readonly keywords: readonly { readonly name: string; readonly value: PyExpr }[];
    }
  | { readonly kind: "other"; readonly text: string };

/** How a parameter binds arguments (Python's `inspect.Parameter.kind`). */
export type ParamKind =
  "positional-only" | "positional" | "var-positional" | "keyword-only" | "var-keyword";

/** One parameter of a `def`. */
export interface PyParam {
  readonly name: string;
  readonly kind: ParamKind;
  readonly annotation: PyExpr | undefined;
  readonly default: PyExpr | undefined;
}

/** A `def` (module level or in a class body). */
export interface PyFunction {
  readonly name: string;
  /** 1-based line of the `def`. */
  readonly line: number;
  /** Decorators, outermost first (as written, top to bottom). */
  readonly decorators: readonly PyExpr[];
  readonly params: readonly PyParam[];
  readonly returns: PyExpr | undefined;
  readonly docstring: string | undefined;
  readonly isAsync: boolean;
  /** The body yields (outside nested functions and classes): a generator function. */
  readonly isGenerator: boolean;
  /** What the body raises: the class expression of each `raise X(...)` / `raise X`. */
  readonly raises: readonly PyExpr[];
  /** Every `return` value in the body (outside nested functions and classes). */
  readonly returnValues: readonly PyExpr[];
  /** `self.<name>` assignments in the body: name → annotation, if any. */
  readonly selfAssignments: readonly { readonly name: string; readonly annotation?: PyExpr }[];
  /** Plain `name = value` assignments to local names, in order. */
  readonly localAssignments: readonly { readonly name: string; readonly value: PyExpr }[];
}

/** A statement of a class body or module, in source order. */
export type PyStatement =
  | { readonly kind: "def"; readonly fn: PyFunction }
  | { readonly kind: "class"; readonly cls: PyClass }
  | {
      readonly kind: "assign";
      readonly targets: readonly string[];
      readonly annotation: PyExpr | undefined;
      readonly value: PyExpr | undefined;
      /** `type X = …` (PEP 695) or `X: TypeAlias = …`. */
      readonly explicitAlias: boolean;
      readonly line: number;
    };

/** A `class` statement. */
export interface PyClass {
  readonly name: string;
  readonly line: number;
  /**
   * The last line of the module-level statement that holds the class (itself, or the
   * `if`/`try` or outer class it is in): code inserted after it sees the class defined.
   */
  readonly endLine: number;
  readonly decorators: readonly PyExpr[];
  readonly bases: readonly PyExpr[];
  readonly keywords: readonly { readonly name: string; readonly value: PyExpr }[];
  readonly docstring: string | undefined;
  readonly body: readonly PyStatement[];
}

/** One imported name: `import a.b as c`, `from .m import x as y`. */
export interface PyImport {
  /** The name bound in the importing module. */
  readonly local: string;
  /** The module, as written (without leading dots). */
  readonly module: string;
  /** The imported member (`from m import name`), or undefined for `import m`. */
  readonly member: string | undefined;
  /** Leading dots of a relative import. */
  readonly level: number;
}

/** A parsed file. */
export interface PyModule {
  readonly imports: readonly PyImport[];
  /** Module-level statements (also those nested in `if`/`try` blocks). */
  readonly body: readonly PyStatement[];
  /** Class names passed to a `….register(Name(…))` or `….register(Name)` call anywhere. */
  readonly registered: readonly string[];
  /** Lines the parser could not read. */
  readonly errorLines: readonly number[];
}
