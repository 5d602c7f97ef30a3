/**
 * What a Pyro daemon exposes of a class, computed from its source by the rules of Pyro4 4.82
 * (`Pyro4.core.expose` and `Pyro4.util.get_exposed_members`; Pyro5 5.16 has the same rules):
 *
 * - `@expose` on a method or property marks its function object; `@expose` on a class marks
 *   every function, static/class method and property accessor in that class's own body
 *   (not inherited ones), skipping private names.
 * - The exposed members of a class are the public names over its whole MRO whose resolved
 *   value is a marked function (a method, `@oneway` when the function is marked so) or a
 *   property whose first accessor (getter, else setter, else deleter) is marked (an attribute).
 * - Private names are those starting with `_`, except dunder names (`__len__`…) that are not
 *   in Pyro's list of private dunders. Plain class attributes are never exposed.
 *
 * Decorators pyrogen does not know are taken to return a function that carries the marks of
 * the one it wraps, as `functools.wraps`-based decorators do.
 */
import type { PyExpr, PyFunction } from "./python-model.js";
import type { ClassInfo, Symbols } from "./symbols.js";

/** Which Pyro's rules (and decorators) a class follows. */
export type PyroGeneration = 4 | 5;

/** An exposed method. */
export interface ExposedMethod {
  readonly name: string;
  readonly fn: PyFunction;
  /** The class whose body defines it. */
  readonly owner: ClassInfo;
  readonly oneway: boolean;
  /** `staticmethod` / `classmethod`: no `self` parameter to drop (cls is dropped). */
  readonly binding: "instance" | "static" | "class";
}

/** An exposed attribute (a property). */
export interface ExposedAttribute {
  readonly name: string;
  readonly owner: ClassInfo;
  readonly getter: PyFunction | undefined;
  readonly setter: PyFunction | undefined;
}

/** The exposed surface of one class. */
export interface ClassExposure {
  readonly info: ClassInfo;
  readonly generation: PyroGeneration;
  /** Sorted by name. */
  readonly methods: readonly ExposedMethod[];
  /** Sorted by name. */
  readonly attrs: readonly ExposedAttribute[];
  /** Bases outside the source: their members cannot be seen. */
  readonly unknownBases: readonly string[];
  /** Problems Pyro itself would raise at import time (e.g. `@expose` on a private name). */
  readonly problems: readonly string[];
}

const PRIVATE_DUNDERS_BOTH = [
  "__init__",
  "__init_subclass__",
  "__class__",
  "__module__",
  "__weakref__",
  "__call__",
  "__new__",
  "__del__",
  "__repr__",
  "__str__",
  "__format__",
  "__nonzero__",
  "__bool__",
  "__coerce__",
  "__cmp__",
  "__eq__",
  "__ne__",
  "__hash__",
  "__ge__",
  "__gt__",
  "__le__",
  "__lt__",
  "__dir__",
  "__enter__",
  "__exit__",
  "__copy__",
  "__deepcopy__",
  "__sizeof__",
  "__getattr__",
  "__setattr__",
  "__hasattr__",
  "__getattribute__",
  "__delattr__",
  "__instancecheck__",
  "__subclasscheck__",
  "__getinitargs__",
  "__getnewargs__",
  "__getstate__",
  "__setstate__",
  "__reduce__",
  "__reduce_ex__",
  "__subclasshook__",
];
const PRIVATE_DUNDERS: Readonly<Record<PyroGeneration, ReadonlySet<string>>> = {
  4: new Set([
    ...PRIVATE_DUNDERS_BOTH,
    "__unicode__",
    "__getstate_for_dict__",
    "__setstate_from_dict__",
  ]),
  5: new Set(PRIVATE_DUNDERS_BOTH),
};

/** Pyro's `is_private_attribute`. */
export function isPrivateName(name: string, generation: PyroGeneration = 4): boolean {
  if (PRIVATE_DUNDERS[generation].has(name)) return true;
  if (!name.startsWith("_")) return false;
  return !(name.length > 4 && name.startsWith("__") && name.endsWith("__"));
}

/** A Python function object; decorators and aliases may share it, so its marks are shared. */
interface FunctionObject {
  readonly fn: PyFunction;
  exposed: boolean;
  oneway: boolean;
}

/** What a name in a class body is bound to once the body has run. */
type BodyValue =
  | {
      readonly kind: "function";
      readonly object: FunctionObject;
      readonly binding: "instance" | "static" | "class";
    }
  | {
      readonly kind: "property";
      readonly fget: FunctionObject | undefined;
      readonly fset: FunctionObject | undefined;
      readonly fdel: FunctionObject | undefined;
    }
  | { readonly kind: "other" };

/** The decorators and helpers pyrogen understands, by qualified name. */
const KNOWN: Readonly<Record<string, string>> = {
  "Pyro4.expose": "expose",
  "Pyro5.expose": "expose",
  "Pyro4.oneway": "oneway",
  "Pyro5.oneway": "oneway",
  "builtins.property": "property",
  "builtins.staticmethod": "staticmethod",
  "builtins.classmethod": "classmethod",
};

/** Computes class exposure over a source. */
export class ExposureRules {
  readonly #symbols: Symbols;
  readonly #bodies = new Map<string, { values: Map<string, BodyValue>; problems: string[] }>();

  constructor(symbols: Symbols) {
    this.#symbols = symbols;
  }

  /** The exposed members of `info`, by Pyro's rules. */
  exposure(info: ClassInfo): ClassExposure {
    const { order, unknownBases } = this.#symbols.mro(info);
    const generation = this.#generationOf(order);
    const problems: string[] = [];
    const names = new Set<string>();
    for (const cls of order) {
      const body = this.#body(cls, generation);
      problems.push(...body.problems);
      for (const name of body.values.keys()) names.add(name);
    }
    const methods: ExposedMethod[] = [];
    const attrs: ExposedAttribute[] = [];
    for (const name of [...names].sort(codeUnitOrder)) {
      if (isPrivateName(name, generation)) continue;
      const owner = order.find((cls) => this.#body(cls, generation).values.has(name))!;
      const value = this.#body(owner, generation).values.get(name)!;
      if (value.kind === "function") {
        if (value.object.exposed) {
          methods.push({
            name,
            fn: value.object.fn,
            owner,
            oneway: value.object.oneway,
            binding: value.binding,
          });
        }
      } else if (value.kind === "property") {
        const first = value.fget ?? value.fset ?? value.fdel;
        if (first?.exposed === true) {
          attrs.push({ name, owner, getter: value.fget?.fn, setter: value.fset?.fn });
        }
      }
    }
    return { info, generation, methods, attrs, unknownBases, problems: [...new Set(problems)] };
  }

  /** True if the class exposes anything (a candidate for a Pyro object). */
  isExposed(info: ClassInfo): boolean {
    const exposure = this.exposure(info);
    return exposure.methods.length > 0 || exposure.attrs.length > 0;
  }

  #generationOf(order: readonly ClassInfo[]): PyroGeneration {
    for (const cls of order) {
      const decorators = [
        ...cls.cls.decorators,
        ...cls.cls.body.flatMap((s) => (s.kind === "def" ? s.fn.decorators : [])),
      ];
      for (const decorator of decorators) {
        const name = this.#qualified(cls, decorator);
        if (name?.startsWith("Pyro5.")) return 5;
        if (name?.startsWith("Pyro4.")) return 4;
      }
    }
    return 4;
  }

  #qualified(cls: ClassInfo, expr: PyExpr): string | undefined {
    const target = expr.kind === "call" ? expr.func : expr;
    return this.#symbols.qualifiedName(cls.file, target);
  }

  /** Run a class body: each name's final value, with Pyro's marks applied. */
  #body(cls: ClassInfo, generation: PyroGeneration) {
    const cached = this.#bodies.get(cls.qualname);
    if (cached !== undefined) return cached;
    const values = new Map<string, BodyValue>();
    const problems: string[] = [];
    const where = `${cls.qualname} (${cls.file.file}:${cls.cls.line})`;
    const problem = (text: string): void => {
      problems.push(`${where}: ${text}`);
    };
    for (const statement of cls.cls.body) {
      if (statement.kind === "def") {
        const object: FunctionObject = { fn: statement.fn, exposed: false, oneway: false };
        let value: BodyValue = { kind: "function", object, binding: "instance" };
        // Decorators apply bottom-up: the one nearest the `def` first.
        for (const decorator of [...statement.fn.decorators].reverse()) {
          value = this.#decorate(cls, value, decorator, values, problem, generation);
        }
        values.set(statement.fn.name, value);
      } else if (statement.kind === "class") {
        values.set(statement.cls.name, { kind: "other" });
      } else {
        const value = this.#assigned(cls, statement.value, values, generation);
        for (const target of statement.targets) values.set(target, value);
      }
    }
    const classDecorators = [...cls.cls.decorators].reverse();
    for (const decorator of classDecorators) {
      if (KNOWN[this.#qualified(cls, decorator) ?? ""] !== "expose") continue;
      for (const [name, value] of values) {
        if (isPrivateName(name, generation)) continue;
        if (value.kind === "function") value.object.exposed = true;
        else if (value.kind === "property") {
          for (const accessor of [value.fget, value.fset, value.fdel]) {
            if (accessor !== undefined) accessor.exposed = true;
          }
        }
      }
    }
    const body = { values, problems };
    this.#bodies.set(cls.qualname, body);
    return body;
  }

  #decorate(
    cls: ClassInfo,
    value: BodyValue,
    decorator: PyExpr,
    values: ReadonlyMap<string, BodyValue>,
    problem: (text: string) => void,
    generation: PyroGeneration,
  ): BodyValue {
    // `@name.setter` / `.getter` / `.deleter` on a property bound earlier in this body.
    if (decorator.kind === "attribute" && decorator.value.kind === "name") {
      const base = values.get(decorator.value.id);
      if (base?.kind === "property" && value.kind === "function") {
        const accessor = value.object;
        if (decorator.attr === "setter") return { ...base, fset: accessor };
        if (decorator.attr === "getter") return { ...base, fget: accessor };
        if (decorator.attr === "deleter") return { ...base, fdel: accessor };
      }
    }
    const known = KNOWN[this.#qualified(cls, decorator) ?? ""];
    switch (known) {
      case "expose":
        if (value.kind === "property") {
          const first = value.fget ?? value.fset ?? value.fdel;
          if (first !== undefined) first.exposed = true;
        } else if (value.kind === "function") {
          if (value.binding !== "instance") {
            problem(
              `@expose must come after @${value.binding}method on ${value.object.fn.name} ` +
                "(Pyro raises AttributeError when the class is defined)",
            );
          } else if (isPrivateName(value.object.fn.name, generation)) {
            problem(`@expose on the private name ${value.object.fn.name} (Pyro refuses it)`);
          } else {
            value.object.exposed = true;
          }
        }
        return value;
      case "oneway":
        if (value.kind === "function") value.object.oneway = true;
        return value;
      case "property":
        return value.kind === "function"
          ? { kind: "property", fget: value.object, fset: undefined, fdel: undefined }
          : { kind: "other" };
      case "staticmethod":
      case "classmethod":
        return value.kind === "function"
          ? { ...value, binding: known === "staticmethod" ? "static" : "class" }
          : { kind: "other" };
      default:
        // An unknown decorator: assume a wrapper that copies the function's attributes.
        if (value.kind === "function") {
          return {
            kind: "function",
            object: { ...value.object },
            binding: value.binding,
          };
        }
        return value;
    }
  }

  /** The value of `name = <expr>` in a class body, for the forms that matter to Pyro. */
  #assigned(
    cls: ClassInfo,
    expr: PyExpr | undefined,
    values: ReadonlyMap<string, BodyValue>,
    generation: PyroGeneration,
  ): BodyValue {
    if (expr === undefined) return { kind: "other" };
    if (expr.kind === "name") return values.get(expr.id) ?? { kind: "other" };
    if (expr.kind !== "call") return { kind: "other" };
    const known = KNOWN[this.#qualified(cls, expr.func) ?? ""];
    // `property(expose(getter))`: an argument is itself evaluated (and may mark the function).
    const functionArg = (arg: PyExpr | undefined): FunctionObject | undefined => {
      const value = this.#assigned(cls, arg, values, generation);
      return value.kind === "function" ? value.object : undefined;
    };
    if (known === "property") {
      const keyword = (name: string) => expr.keywords.find((k) => k.name === name)?.value;
      return {
        kind: "property",
        fget: functionArg(expr.args[0] ?? keyword("fget")),
        fset: functionArg(expr.args[1] ?? keyword("fset")),
        fdel: functionArg(expr.args[2] ?? keyword("fdel")),
      };
    }
    if (known === "staticmethod" || known === "classmethod") {
      const object = functionArg(expr.args[0]);
      return object === undefined
        ? { kind: "other" }
        : { kind: "function", object, binding: known === "staticmethod" ? "static" : "class" };
    }
    if (known === "expose" || known === "oneway") {
      // `name = expose(function)`: the decorator called by hand.
      const inner = this.#assigned(cls, expr.args[0], values, generation);
      return this.#decorate(cls, inner, expr.func, values, () => undefined, generation);
    }
    return { kind: "other" };
  }
}

function codeUnitOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
