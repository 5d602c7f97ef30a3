/**
 * The Python types of one exposed member, from the best source available for each part:
 * an annotation, else the docstring's type, else a parameter's default value or pyright's
 * inference, else unknown. Also what the member's docs say and what it visibly raises.
 */
import { parseDocstring, docTypeText, type Docstring } from "./docstrings.js";
import type { ExposedAttribute, ExposedMethod } from "./exposure.js";
import { literalValue, type PyType, type TypeReader, union, UNKNOWN } from "./py-types.js";
import type { ParamKind, PyExpr, PyFunction } from "./python-model.js";
import { parseExpression } from "./python-syntax.js";
import type { SourceFile } from "./source-files.js";
import { describe, type ClassInfo, type Symbols } from "./symbols.js";

/** Where a type came from (the CLI reports how typed a module is). */
export type TypeOrigin = "annotation" | "docstring" | "default" | "inferred" | "none";

/** A parameter with its type. */
export interface TypedParam {
  readonly name: string;
  readonly kind: ParamKind;
  readonly type: PyType;
  readonly origin: TypeOrigin;
  readonly hasDefault: boolean;
  readonly doc: string | undefined;
}

/** What a member raises, by its docs or its `raise` statements. */
export interface RaisedError {
  readonly type: string;
  readonly description: string;
}

/** An exposed method with its types. */
export interface TypedMethod {
  readonly name: string;
  readonly oneway: boolean;
  readonly params: readonly TypedParam[];
  readonly result: PyType;
  readonly resultOrigin: TypeOrigin;
  /** A generator function: the result is an iterator of `result`'s items. */
  readonly generator: boolean;
  readonly doc: Docstring | undefined;
  readonly raises: readonly RaisedError[];
}

/** An exposed attribute with its type. */
export interface TypedAttribute {
  readonly name: string;
  readonly type: PyType;
  readonly origin: TypeOrigin;
  readonly readonly: boolean;
  readonly doc: Docstring | undefined;
}

/** Inferred types by request key (`Class.member`). */
export type InferredTypes = ReadonlyMap<string, PyType>;

/** The key of an inference request for a member of a class. */
export function inferenceKey(qualname: string, member: string): string {
  return `${qualname}.${member}`;
}

/** Types members of one source. */
export class MemberTypes {
  readonly #symbols: Symbols;
  readonly #types: TypeReader;

  constructor(symbols: Symbols, types: TypeReader) {
    this.#symbols = symbols;
    this.#types = types;
  }

  /** True if the result's type will need inference (no annotation and no docstring type). */
  needsInference(fn: PyFunction): boolean {
    if (fn.returns !== undefined) return false;
    const doc = fn.docstring === undefined ? undefined : parseDocstring(fn.docstring);
    return (fn.isGenerator ? (doc?.yields ?? doc?.returns) : doc?.returns)?.type === undefined;
  }

  /** The typed method. */
  method(method: ExposedMethod, exposer: ClassInfo, inferred: InferredTypes): TypedMethod {
    const fn = method.fn;
    const file = method.owner.file;
    const doc = fn.docstring === undefined ? undefined : parseDocstring(fn.docstring);
    // `self` (or `cls`) is bound: it is not a remote parameter.
    const declared = method.binding === "static" ? fn.params : fn.params.slice(1);
    const params = declared.map((param) => this.#param(file, param, doc));
    let result: PyType = UNKNOWN;
    let resultOrigin: TypeOrigin = "none";
    let generator = fn.isGenerator;
    if (fn.returns !== undefined) {
      result = this.#types.read(file, fn.returns);
      resultOrigin = "annotation";
      if (fn.isGenerator && result.kind !== "iterator") {
        result = { kind: "iterator", item: UNKNOWN, maybeList: false };
      }
      generator = false; // the annotation says it (Iterator[...] / Generator[...])
    } else {
      const entry = fn.isGenerator ? (doc?.yields ?? doc?.returns) : doc?.returns;
      const fromDoc = this.#docType(file, entry?.type);
      const fromPyro = fn.isGenerator ? undefined : this.#pyroResult(file, fn);
      if (fromDoc !== undefined) {
        result = fromDoc;
        resultOrigin = "docstring";
      } else if (fromPyro !== undefined) {
        result = fromPyro;
        resultOrigin = "inferred";
      } else {
        const found = inferred.get(inferenceKey(exposer.qualname, method.name));
        if (found !== undefined && found.kind !== "unknown") {
          result = found;
          resultOrigin = "inferred";
          generator = false; // pyright says Generator[...] itself
        }
      }
      if (generator && result.kind !== "iterator") {
        // A docstring's Yields type (or nothing known) is the item type of the generator.
        result = { kind: "iterator", item: result, maybeList: false };
      }
    }
    return {
      name: method.name,
      oneway: method.oneway,
      params,
      result,
      resultOrigin,
      generator: result.kind === "iterator",
      doc,
      raises: this.#raises(file, fn, doc),
    };
  }

  /** The typed attribute. */
  attribute(attr: ExposedAttribute, exposer: ClassInfo, inferred: InferredTypes): TypedAttribute {
    const getter = attr.getter;
    const file = attr.owner.file;
    const doc = getter?.docstring === undefined ? undefined : parseDocstring(getter.docstring);
    let type: PyType = UNKNOWN;
    let origin: TypeOrigin = "none";
    if (getter?.returns !== undefined) {
      type = this.#types.read(file, getter.returns);
      origin = "annotation";
    } else {
      const fromDoc = this.#docType(file, doc?.returns?.type);
      const found = inferred.get(inferenceKey(exposer.qualname, attr.name));
      if (fromDoc !== undefined) {
        type = fromDoc;
        origin = "docstring";
      } else if (found !== undefined && found.kind !== "unknown") {
        type = found;
        origin = "inferred";
      }
    }
    return { name: attr.name, type, origin, readonly: attr.setter === undefined, doc };
  }

  /**
   * The result when every `return` hands out a Pyro object the method registers: a proxy
   * made of it (`Pyro4.Proxy(self._pyroDaemon.register(Thing()))`, typed as a client of
   * `Thing`) or the URI `register` gives. pyright cannot see these: `_pyroDaemon` is set
   * by the daemon at run time.
   */
  #pyroResult(file: SourceFile, fn: PyFunction): PyType | undefined {
    if (fn.returnValues.length === 0) return undefined;
    const types = fn.returnValues.map((value) => this.#pyroValue(file, fn, value, 0));
    return types.every((t) => t !== undefined) ? union(types) : undefined;
  }

  #pyroValue(file: SourceFile, fn: PyFunction, expr: PyExpr, depth: number): PyType | undefined {
    const value = this.#local(fn, expr, depth);
    if (value?.kind !== "call") return undefined;
    if (isDaemonRegister(value)) return { kind: "pyro", name: "URI" };
    const callee = this.#symbols.qualifiedName(file, value.func);
    if (callee !== "Pyro4.Proxy" && callee !== "Pyro5.Proxy") return undefined;
    const registered = this.#local(fn, value.args[0], depth);
    if (registered?.kind === "call" && isDaemonRegister(registered)) {
      const object = this.#local(fn, registered.args[0], depth);
      if (object?.kind === "call") {
        const symbol = this.#symbols.resolve(file, object.func);
        if (symbol.kind === "class") return { kind: "class", info: symbol.info };
      }
    }
    return { kind: "pyro", name: "Proxy" };
  }

  /** A local name's (last) assigned value, followed a few steps; other expressions as they are. */
  #local(fn: PyFunction, expr: PyExpr | undefined, depth: number): PyExpr | undefined {
    if (expr?.kind !== "name" || depth > 4) return expr;
    const assigned = fn.localAssignments.findLast((a) => a.name === expr.id);
    return assigned === undefined ? undefined : this.#local(fn, assigned.value, depth + 1);
  }

  #param(
    file: SourceFile,
    param: PyFunction["params"][number],
    doc: Docstring | undefined,
  ): TypedParam {
    const entry = doc?.params.get(param.name);
    const base = {
      name: param.name,
      kind: param.kind,
      hasDefault: param.default !== undefined,
      doc: entry?.description,
    };
    if (param.annotation !== undefined) {
      return { ...base, type: this.#types.read(file, param.annotation), origin: "annotation" };
    }
    const fromDoc = this.#docType(file, entry?.type);
    if (fromDoc !== undefined) return { ...base, type: fromDoc, origin: "docstring" };
    const fromDefault = param.default === undefined ? undefined : defaultType(param.default);
    if (fromDefault !== undefined) return { ...base, type: fromDefault, origin: "default" };
    return { ...base, type: UNKNOWN, origin: "none" };
  }

  #docType(file: SourceFile, text: string | undefined): PyType | undefined {
    if (text === undefined) return undefined;
    const expr = parseExpression(docTypeText(text));
    if (expr === undefined) return undefined;
    const type = this.#types.read(file, expr);
    return type.kind === "unknown" ? undefined : type;
  }

  #raises(file: SourceFile, fn: PyFunction, doc: Docstring | undefined): RaisedError[] {
    const out: RaisedError[] = (doc?.raises ?? []).map((r) => ({
      type: r.type,
      description: r.description,
    }));
    for (const raised of fn.raises) {
      const name = this.#raisedName(file, raised);
      if (name !== undefined && !out.some((r) => r.type === name || r.type.endsWith(`.${name}`))) {
        out.push({ type: name, description: "" });
      }
    }
    return out;
  }

  /** The class name a `raise` statement names (`ValueError`, `PlaybackError`), if plain. */
  #raisedName(file: SourceFile, raised: PyExpr): string | undefined {
    if (raised.kind !== "name" && raised.kind !== "attribute") return undefined;
    const symbol = this.#symbols.resolve(file, raised);
    if (symbol.kind === "class") return symbol.info.name;
    if (symbol.kind === "external") {
      const q = symbol.qualified;
      // A local variable (`raise error`) resolves to nothing useful: only class-like names.
      const last = q.slice(q.lastIndexOf(".") + 1);
      return /^[A-Z]/.test(last) ? last : undefined;
    }
    return /^[A-Z]/.test(describe(raised)) ? describe(raised) : undefined;
  }
}

/** `self._pyroDaemon.register(…)`: registering with the object's own daemon. */
function isDaemonRegister(call: Extract<PyExpr, { kind: "call" }>): boolean {
  const func = call.func;
  return (
    func.kind === "attribute" &&
    func.attr === "register" &&
    func.value.kind === "attribute" &&
    func.value.attr === "_pyroDaemon"
  );
}

/** The type of a default value that is a literal (`False` → bool); None says nothing. */
function defaultType(expr: PyExpr): PyType | undefined {
  if (expr.kind === "string") return { kind: "scalar", name: expr.bytes ? "bytes" : "str" };
  const value = literalValue(expr);
  if (typeof value === "boolean") return { kind: "scalar", name: "bool" };
  if (typeof value === "bigint") return { kind: "scalar", name: "int" };
  if (typeof value === "number") {
    const text =
      expr.kind === "unary" && expr.operand.kind === "number"
        ? expr.operand.text
        : expr.kind === "number"
          ? expr.text
          : "";
    return { kind: "scalar", name: /[.eE]/.test(text) && !/^0x/i.test(text) ? "float" : "int" };
  }
  return undefined;
}
