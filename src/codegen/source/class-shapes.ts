/**
 * What a class of the source looks like as a value: a TypedDict's keys, a NamedTuple's or a
 * dataclass's fields, an enum's member values, a plain class's attributes. The mapping to
 * TypeScript (`typescript-types.ts`) turns a shape into what a serializer delivers.
 */
import {
  literalValue,
  type LiteralValue,
  type PyType,
  type TypeReader,
  UNKNOWN,
} from "./py-types.js";
import type { PyExpr } from "./python-model.js";
import type { ClassInfo, Symbols } from "./symbols.js";

/** One field of a structured class. */
export interface FieldShape {
  readonly name: string;
  readonly type: PyType;
  /** For TypedDict: the key may be missing. */
  readonly optional: boolean;
}

/** A class as a value. */
export type ClassShape =
  | { readonly kind: "typeddict"; readonly fields: readonly FieldShape[] }
  | { readonly kind: "namedtuple"; readonly fields: readonly FieldShape[] }
  | { readonly kind: "dataclass"; readonly fields: readonly FieldShape[] }
  /** `values` undefined when a member's value cannot be read statically. */
  | {
      readonly kind: "enum";
      readonly base: "int" | "str" | "plain";
      readonly values: readonly LiteralValue[] | undefined;
    }
  | { readonly kind: "exception" }
  /** Any other class: its instance attributes, as far as they can be seen. */
  | { readonly kind: "plain"; readonly fields: readonly FieldShape[] };

const TYPED_DICT = new Set(["typing.TypedDict"]);
const NAMED_TUPLE = new Set(["typing.NamedTuple"]);
const DATACLASS = new Set(["dataclasses.dataclass", "pydantic.dataclasses.dataclass"]);
const ENUM_BASES: Readonly<Record<string, "int" | "str" | "plain">> = {
  "enum.Enum": "plain",
  "enum.IntEnum": "int",
  "enum.IntFlag": "int",
  "enum.Flag": "plain",
  "enum.StrEnum": "str",
};
const EXCEPTION_BASES = new Set(["builtins.Exception", "builtins.BaseException"]);

/** Reads class shapes over one source. */
export class ClassShapes {
  readonly #symbols: Symbols;
  readonly #types: TypeReader;
  readonly #cache = new Map<string, ClassShape>();

  constructor(symbols: Symbols, types: TypeReader) {
    this.#symbols = symbols;
    this.#types = types;
  }

  /** The shape of `info`'s instances. */
  shape(info: ClassInfo): ClassShape {
    const cached = this.#cache.get(info.qualname);
    if (cached !== undefined) return cached;
    const shape = this.#compute(info);
    this.#cache.set(info.qualname, shape);
    return shape;
  }

  #compute(info: ClassInfo): ClassShape {
    const { order } = this.#symbols.mro(info);
    const externalBases = order.flatMap((cls) =>
      cls.cls.bases.map((base) => {
        const target = base.kind === "subscript" ? base.value : base;
        return this.#symbols.qualifiedName(cls.file, target) ?? "";
      }),
    );
    const enumBase = externalBases.map((q) => ENUM_BASES[q]).find((b) => b !== undefined);
    if (enumBase !== undefined) {
      // `class Color(str, Enum)` behaves as a str enum.
      const mixin = externalBases.includes("builtins.str")
        ? "str"
        : externalBases.includes("builtins.int")
          ? "int"
          : enumBase;
      return { kind: "enum", base: mixin, values: this.#enumValues(info, mixin) };
    }
    if (externalBases.some((q) => TYPED_DICT.has(q))) {
      // Each TypedDict class in the MRO contributes its own keys, with its own totality.
      const fields = [...order].reverse().flatMap((cls) =>
        this.#annotatedFields(cls).map((field) => ({
          ...field,
          optional: requiredness(this.#symbols, cls, field.annotation) ?? !isTotal(cls),
        })),
      );
      return { kind: "typeddict", fields: dedupeFields(fields) };
    }
    if (externalBases.some((q) => NAMED_TUPLE.has(q))) {
      return { kind: "namedtuple", fields: this.#annotatedFields(info) };
    }
    if (order.some((cls) => this.#isDataclass(cls))) {
      const fields = [...order]
        .reverse()
        .filter((cls) => this.#isDataclass(cls))
        .flatMap((cls) => this.#annotatedFields(cls));
      return { kind: "dataclass", fields: dedupeFields(fields) };
    }
    if (externalBases.some((q) => EXCEPTION_BASES.has(q))) return { kind: "exception" };
    return { kind: "plain", fields: this.#instanceFields(order) };
  }

  #isDataclass(info: ClassInfo): boolean {
    return info.cls.decorators.some((decorator) => {
      const target = decorator.kind === "call" ? decorator.func : decorator;
      return DATACLASS.has(this.#symbols.qualifiedName(info.file, target) ?? "");
    });
  }

  /** Class-level `name: T` declarations (ClassVar excluded). */
  #annotatedFields(info: ClassInfo): (FieldShape & { annotation: PyExpr })[] {
    const fields: (FieldShape & { annotation: PyExpr })[] = [];
    for (const statement of info.cls.body) {
      if (statement.kind !== "assign" || statement.annotation === undefined) continue;
      if (statement.explicitAlias || this.#wraps(info, statement.annotation, "typing.ClassVar")) {
        continue;
      }
      for (const name of statement.targets) {
        fields.push({
          name,
          type: this.#types.read(info.file, statement.annotation),
          optional: false,
          annotation: statement.annotation,
        });
      }
    }
    return fields;
  }

  /** A plain class: annotated class-level fields and the attributes `__init__` assigns. */
  #instanceFields(order: readonly ClassInfo[]): FieldShape[] {
    const fields: FieldShape[] = [];
    for (const cls of [...order].reverse()) {
      fields.push(...this.#annotatedFields(cls));
      for (const statement of cls.cls.body) {
        if (statement.kind !== "def" || statement.fn.name !== "__init__") continue;
        for (const assigned of statement.fn.selfAssignments) {
          fields.push({
            name: assigned.name,
            type:
              assigned.annotation === undefined
                ? UNKNOWN
                : this.#types.read(cls.file, assigned.annotation),
            optional: false,
          });
        }
      }
    }
    return dedupeFields(fields);
  }

  #wraps(info: ClassInfo, annotation: PyExpr, qualified: string): boolean {
    const target = annotation.kind === "subscript" ? annotation.value : annotation;
    return this.#symbols.qualifiedName(info.file, target) === qualified;
  }

  #enumValues(info: ClassInfo, base: "int" | "str" | "plain"): LiteralValue[] | undefined {
    const values: LiteralValue[] = [];
    let next = 1;
    for (const statement of info.cls.body) {
      if (statement.kind !== "assign" || statement.annotation !== undefined) continue;
      if (statement.value === undefined) continue;
      for (const name of statement.targets) {
        if (name.startsWith("_")) continue;
        const value = statement.value;
        const isAuto =
          value.kind === "call" &&
          this.#symbols.qualifiedName(info.file, value.func) === "enum.auto";
        if (isAuto) {
          values.push(base === "str" ? name.toLowerCase() : next);
          next += 1;
          continue;
        }
        const literal = literalValue(value);
        if (literal === undefined) return undefined;
        values.push(literal);
        if (typeof literal === "number" && Number.isInteger(literal)) next = literal + 1;
      }
    }
    return values;
  }
}

function isTotal(info: ClassInfo): boolean {
  const total = info.cls.keywords.find((k) => k.name === "total")?.value;
  return !(total?.kind === "constant" && total.value === false);
}

/** NotRequired[...] → optional, Required[...] → required, else undefined (use totality). */
function requiredness(symbols: Symbols, info: ClassInfo, annotation: PyExpr): boolean | undefined {
  if (annotation.kind !== "subscript") return undefined;
  const q = symbols.qualifiedName(info.file, annotation.value);
  if (q === "typing.NotRequired") return true;
  if (q === "typing.Required") return false;
  if (q === "typing.Annotated" && annotation.items[0] !== undefined) {
    return requiredness(symbols, info, annotation.items[0]);
  }
  return undefined;
}

function dedupeFields<T extends FieldShape>(fields: readonly T[]): T[] {
  // A later declaration (a subclass) replaces an earlier one of the same name, in place.
  const byName = new Map<string, T>();
  for (const field of fields) byName.set(field.name, field);
  return [...byName.values()];
}
