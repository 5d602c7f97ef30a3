/**
 * Name resolution over the loaded source files: what a name or dotted name in a module
 * refers to — a class of the source, a module-level alias, an imported module, or something
 * outside the source (`typing.Optional`, `builtins.int`, `Pyro4.expose`), by the same rules
 * Python's import statements follow. Also each class's method resolution order (C3).
 */
import type { PyClass, PyExpr, PyImport, PyStatement } from "./python-model.js";
import type { SourceFile, SourceFiles } from "./source-files.js";

/** A class defined in the source. */
export interface ClassInfo {
  /** `module.Name` (`module.Outer.Name` for a nested class). */
  readonly qualname: string;
  readonly name: string;
  readonly file: SourceFile;
  readonly cls: PyClass;
}

/** What an expression names. */
export type PySymbol =
  | { readonly kind: "class"; readonly info: ClassInfo }
  | {
      readonly kind: "alias";
      readonly file: SourceFile;
      readonly name: string;
      readonly statement: Extract<PyStatement, { kind: "assign" }>;
    }
  | { readonly kind: "module"; readonly name: string }
  /**
   * Defined outside the source, or a function: a normalized qualified name such as
   * `typing.Optional`.
   */
  | { readonly kind: "external"; readonly qualified: string }
  | { readonly kind: "unknown" };

// Where typing names also live; they all mean the `typing` ones.
const TYPING_MODULES = new Set([
  "typing_extensions",
  "collections.abc",
  "collections",
  "_typeshed",
]);
const TYPING_FROM_COLLECTIONS = new Set([
  "Iterator",
  "Iterable",
  "Generator",
  "AsyncIterator",
  "AsyncIterable",
  "AsyncGenerator",
  "Sequence",
  "MutableSequence",
  "Mapping",
  "MutableMapping",
  "Set",
  "MutableSet",
  "Collection",
  "Container",
  "Callable",
  "Awaitable",
  "Coroutine",
]);
const PYRO_SUBMODULES = /^(Pyro[45])\.(core|api|server|client|util|errors|naming|nameserver)$/;

/** Normalize a qualified name from outside the source. */
export function normalizeQualified(qualified: string): string {
  const dot = qualified.lastIndexOf(".");
  if (dot < 0) return qualified;
  const module = qualified.slice(0, dot);
  const member = qualified.slice(dot + 1);
  if (module === "typing_extensions") return `typing.${member}`;
  if (TYPING_MODULES.has(module) && TYPING_FROM_COLLECTIONS.has(member)) return `typing.${member}`;
  const pyro = PYRO_SUBMODULES.exec(module);
  if (pyro !== null) return `${pyro[1]}.${member}`;
  return qualified;
}

/** Resolves names across the loaded files. Build it with {@link Symbols.load}. */
export class Symbols {
  readonly #files: SourceFiles;
  readonly #classes = new Map<string, ClassInfo>();

  private constructor(files: SourceFiles) {
    this.#files = files;
  }

  /** Load every module the given files import (from the source folders only), then index. */
  static async load(files: SourceFiles): Promise<Symbols> {
    const symbols = new Symbols(files);
    const seen = new Set<string>();
    let pending = files.all();
    while (pending.length > 0) {
      const next: SourceFile[] = [];
      for (const file of pending) {
        if (seen.has(file.module)) continue;
        seen.add(file.module);
        for (const imp of file.parsed.imports) {
          const target = absoluteModule(file, imp);
          if (target === undefined) continue;
          for (const name of imp.member === undefined
            ? [target]
            : [target, `${target}.${imp.member}`]) {
            const loaded = await files.module(name);
            if (loaded !== undefined && !seen.has(loaded.module)) next.push(loaded);
          }
        }
      }
      pending = next;
    }
    for (const file of files.all()) symbols.#index(file, file.parsed.body, file.module);
    return symbols;
  }

  /** Every class of every loaded file. */
  classes(): ClassInfo[] {
    return [...this.#classes.values()];
  }

  /** The class with this qualified name. */
  classNamed(qualname: string): ClassInfo | undefined {
    return this.#classes.get(qualname);
  }

  /** What `expr` names in the scope of `file`. */
  resolve(file: SourceFile, expr: PyExpr, seen = new Set<string>()): PySymbol {
    if (expr.kind === "name") return this.#lookup(file, expr.id, seen);
    if (expr.kind !== "attribute") return { kind: "unknown" };
    const base = this.resolve(file, expr.value, seen);
    switch (base.kind) {
      case "module": {
        const loaded = this.#loaded(base.name);
        if (loaded !== undefined) {
          const inside = this.#lookup(loaded, expr.attr, seen, false);
          if (inside.kind !== "unknown") return inside;
        }
        const submodule = `${base.name}.${expr.attr}`;
        if (this.#loaded(submodule) !== undefined) return { kind: "module", name: submodule };
        return { kind: "external", qualified: normalizeQualified(submodule) };
      }
      case "external":
        return {
          kind: "external",
          qualified: normalizeQualified(`${base.qualified}.${expr.attr}`),
        };
      case "class": {
        const nested = this.#classes.get(`${base.info.qualname}.${expr.attr}`);
        return nested === undefined ? { kind: "unknown" } : { kind: "class", info: nested };
      }
      default:
        return { kind: "unknown" };
    }
  }

  /** The qualified name an expression refers to outside the source, if it does. */
  qualifiedName(file: SourceFile, expr: PyExpr): string | undefined {
    const symbol = this.resolve(file, expr);
    return symbol.kind === "external" ? symbol.qualified : undefined;
  }

  /**
   * The method resolution order of a class (itself first), over the classes of the source.
   * `unknownBases` lists bases that are not classes of the source (besides `object` and
   * typing's markers), whose members pyrogen cannot see.
   */
  mro(info: ClassInfo): { order: ClassInfo[]; unknownBases: string[] } {
    const unknownBases: string[] = [];
    const linearize = (current: ClassInfo, stack: Set<string>): ClassInfo[] => {
      if (stack.has(current.qualname)) return [current];
      stack.add(current.qualname);
      const bases = this.bases(current, unknownBases);
      const sequences = [...bases.map((base) => linearize(base, stack)), [...bases]];
      stack.delete(current.qualname);
      return [current, ...merge(sequences)];
    };
    return { order: linearize(info, new Set()), unknownBases };
  }

  /** The direct bases of a class that are classes of the source. */
  bases(info: ClassInfo, unknownBases: string[] = []): ClassInfo[] {
    const out: ClassInfo[] = [];
    for (const base of info.cls.bases) {
      const target = base.kind === "subscript" ? base.value : base;
      const symbol = this.resolve(info.file, target);
      if (symbol.kind === "class") out.push(symbol.info);
      else if (symbol.kind === "external" && !IGNORED_BASES.has(symbol.qualified)) {
        unknownBases.push(symbol.qualified);
      } else if (symbol.kind === "unknown") {
        unknownBases.push(describe(target));
      }
    }
    return out;
  }

  #loaded(module: string): SourceFile | undefined {
    return this.#files.loaded(module);
  }

  #index(file: SourceFile, body: readonly PyStatement[], prefix: string): void {
    for (const statement of body) {
      if (statement.kind !== "class") continue;
      const qualname = `${prefix}.${statement.cls.name}`;
      this.#classes.set(qualname, { qualname, name: statement.cls.name, file, cls: statement.cls });
      this.#index(file, statement.cls.body, qualname);
    }
  }

  #lookup(file: SourceFile, id: string, seen: Set<string>, builtins = true): PySymbol {
    const key = `${file.module}:${id}`;
    if (seen.has(key)) return { kind: "unknown" };
    seen.add(key);
    // The last module-level binding wins, as at run time after the module is imported.
    for (let i = file.parsed.body.length - 1; i >= 0; i--) {
      const statement = file.parsed.body[i]!;
      if (statement.kind === "class" && statement.cls.name === id) {
        const info = this.#classes.get(`${file.module}.${id}`);
        if (info !== undefined) return { kind: "class", info };
      }
      if (statement.kind === "assign" && statement.targets.includes(id)) {
        return { kind: "alias", file, name: id, statement };
      }
      if (statement.kind === "def" && statement.fn.name === id) {
        // A function of the source is known by its qualified name (Pyro4's own `expose` when
        // the source is Pyro4's package).
        return { kind: "external", qualified: normalizeQualified(`${file.module}.${id}`) };
      }
    }
    const imp = [...file.parsed.imports].reverse().find((candidate) => candidate.local === id);
    if (imp !== undefined) {
      const target = absoluteModule(file, imp);
      if (target === undefined) return { kind: "unknown" };
      if (imp.member === undefined) {
        // `import a.b as c` binds the module a.b; `import a.b` binds a.
        return { kind: "module", name: target };
      }
      const loaded = this.#loaded(target);
      if (loaded !== undefined) {
        const inside = this.#lookup(loaded, imp.member, seen, false);
        if (inside.kind !== "unknown") return inside;
      }
      const submodule = `${target}.${imp.member}`;
      if (this.#loaded(submodule) !== undefined) return { kind: "module", name: submodule };
      return { kind: "external", qualified: normalizeQualified(submodule) };
    }
    return builtins ? { kind: "external", qualified: `builtins.${id}` } : { kind: "unknown" };
  }
}

// Bases that add no members a Pyro client could see.
const IGNORED_BASES = new Set([
  "builtins.object",
  "typing.Generic",
  "typing.Protocol",
  "builtins.Exception",
  "builtins.BaseException",
]);

/** The absolute module an import refers to, or undefined past the top of the package. */
function absoluteModule(file: SourceFile, imp: PyImport): string | undefined {
  if (imp.level === 0) return imp.module;
  const isPackage = /[\\/]__init__\.pyi?$/.test(file.file);
  const parts = file.module.split(".");
  // A module's package is its name minus the last part; a package is its own package.
  const packageParts = isPackage ? parts : parts.slice(0, -1);
  const up = imp.level - 1;
  if (up > packageParts.length) return undefined;
  const base = packageParts.slice(0, packageParts.length - up);
  const joined = [...base, ...(imp.module === "" ? [] : [imp.module])].join(".");
  return joined === "" ? undefined : joined;
}

/** C3 merge of linearizations; on an inconsistent hierarchy, keeps what it has. */
function merge(sequences: ClassInfo[][]): ClassInfo[] {
  const out: ClassInfo[] = [];
  const lists = sequences.map((s) => [...s]).filter((s) => s.length > 0);
  while (lists.length > 0) {
    const head = lists
      .map((list) => list[0]!)
      .find((candidate) => !lists.some((list) => list.slice(1).includes(candidate)));
    const chosen = head ?? lists[0]![0]!;
    out.push(chosen);
    for (const list of lists) {
      if (list[0] === chosen) list.shift();
    }
    for (let i = lists.length - 1; i >= 0; i--) if (lists[i]!.length === 0) lists.splice(i, 1);
  }
  return out;
}

/** Source-like text of a simple expression, for messages. */
export function describe(expr: PyExpr): string {
  switch (expr.kind) {
    case "name":
      return expr.id;
    case "attribute":
      return `${describe(expr.value)}.${expr.attr}`;
    case "subscript":
      return `${describe(expr.value)}[${expr.items.map(describe).join(", ")}]`;
    case "call":
      return `${describe(expr.func)}(…)`;
    case "string":
      return JSON.stringify(expr.value);
    case "number":
      return expr.text;
    case "constant":
      return expr.value === null
        ? "None"
        : expr.value === "..."
          ? "..."
          : expr.value
            ? "True"
            : "False";
    case "binary":
      return `${describe(expr.left)} ${expr.op} ${describe(expr.right)}`;
    case "unary":
      return `${expr.op}${describe(expr.operand)}`;
    case "list":
      return `[${expr.items.map(describe).join(", ")}]`;
    case "tuple":
      return `(${expr.items.map(describe).join(", ")})`;
    case "set":
      return `{${expr.items.map(describe).join(", ")}}`;
    case "other":
      return expr.text;
  }
}
