/**
 * What a Python type becomes on the wire, for one serializer and one direction: the value a
 * TypeScript caller receives (a result) or may send (an argument). This is the one place that
 * knows each serializer's limits, measured against Pyro4 4.82 on Python 3.11 (see
 * docs/types.md and docs/values.md); the TypeScript and zod printers only print its answer.
 *
 * A type the serializer cannot carry becomes `never` (the call fails at run time) and a
 * warning that names a serializer that can.
 */
import type { SerializerName } from "@pyrogen/runtime";
import type { ClassShapes, FieldShape } from "./class-shapes.js";
import type { ExposureRules } from "./exposure.js";
import type { LiteralValue, PyType } from "./py-types.js";
import type { ClassInfo } from "./symbols.js";

/** Which way a value travels. */
export type Direction = "result" | "param";

/** A reference to a named declaration (a class or an alias of the source). */
export interface NamedRef {
  readonly key: string;
  readonly direction: Direction;
}

/** A field of an object shape. */
export interface WireField {
  readonly name: string;
  readonly type: Wire;
  readonly optional: boolean;
}

/** A value as TypeScript meets it. */
export type Wire =
  | { readonly k: "unknown" }
  | { readonly k: "never" }
  | { readonly k: "null" }
  | { readonly k: "void" }
  | { readonly k: "boolean" | "int" | "float" | "string" | "bytes" | "complex" | "date" }
  | { readonly k: "array"; readonly item: Wire }
  | { readonly k: "tuple"; readonly items: readonly { name?: string; type: Wire }[] }
  | { readonly k: "set"; readonly item: Wire }
  | { readonly k: "record"; readonly value: Wire }
  | { readonly k: "map"; readonly key: Wire; readonly value: Wire }
  | { readonly k: "union"; readonly members: readonly Wire[] }
  | { readonly k: "literal"; readonly values: readonly LiteralValue[] }
  | { readonly k: "iterable"; readonly item: Wire; readonly orArray: boolean }
  | { readonly k: "named"; readonly ref: NamedRef }
  | {
      readonly k: "object";
      readonly fields: readonly WireField[];
      /** `__class__` key: present, maybe present, or absent. */
      readonly classTag: "required" | "optional" | "none";
      /** Other keys may be present (attributes pyrogen cannot see). */
      readonly open: boolean;
    }
  | { readonly k: "uri" | "proxy" }
  /** A typed client of a Pyro class of the source (a received proxy). */
  | { readonly k: "client"; readonly info: ClassInfo }
  /** TypeScript written by the user (a config class override). */
  | { readonly k: "external"; readonly text: string };

/** A named declaration to emit. */
export interface WireDeclaration {
  readonly key: string;
  readonly direction: Direction;
  /** The Python name it comes from, for the TypeScript name and docs. */
  readonly pythonName: string;
  readonly qualname: string;
  readonly docstring: string | undefined;
  readonly body: Wire;
}

const NEVER: Wire = { k: "never" };
const UNKNOWN_WIRE: Wire = { k: "unknown" };

/** Serializers that can carry each limited kind of value. */
const CARRIERS: Readonly<Record<string, readonly SerializerName[]>> = {
  bytes: ["serpent", "marshal", "msgpack"],
  complex: ["serpent", "marshal", "msgpack"],
  frozenset: ["serpent", "marshal"],
  "datetime.datetime": ["serpent", "json", "msgpack"],
  "datetime.date": ["serpent", "json", "msgpack"],
  "datetime.time": ["serpent"],
  "decimal.Decimal": ["serpent", "json", "msgpack"],
  "plain enum": ["serpent"],
  "int or str enum": ["serpent", "json", "msgpack"],
  NamedTuple: ["serpent", "json", "msgpack"],
  "a class instance inside a container": ["serpent", "json", "msgpack"],
  "a Pyro object (as a proxy)": ["serpent", "json", "msgpack"],
};

/** Maps Python types to wire types for one serializer. */
export class WireTypes {
  readonly #serializer: SerializerName;
  readonly #shapes: ClassShapes;
  readonly #exposure: ExposureRules;
  readonly #classOverrides: Readonly<Record<string, string>>;
  readonly #declarations = new Map<string, WireDeclaration>();
  readonly #building = new Set<string>();
  readonly #warnings: string[] = [];

  constructor(
    serializer: SerializerName,
    shapes: ClassShapes,
    exposure: ExposureRules,
    classOverrides: Readonly<Record<string, string>>,
  ) {
    this.#serializer = serializer;
    this.#shapes = shapes;
    this.#exposure = exposure;
    this.#classOverrides = classOverrides;
  }

  /** Warnings collected so far (types the serializer cannot carry). */
  get warnings(): readonly string[] {
    return this.#warnings;
  }

  /** Every named declaration referenced so far, in a stable order. */
  declarations(): WireDeclaration[] {
    return [...this.#declarations.values()].sort((a, b) =>
      a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
    );
  }

  /**
   * The wire type of `type` travelling in `direction`; `where` names the member for
   * warnings (`method play's result`).
   */
  wire(type: PyType, direction: Direction, where: string): Wire {
    return this.#wire(type, direction, where, true);
  }

  #cannot(kind: string, where: string): Wire {
    const carriers = CARRIERS[kind] ?? [];
    const hint = carriers.length > 0 ? `; ${carriers.join(", ")} can` : "";
    this.#warn(`${where}: ${kind} cannot travel with ${this.#serializer}${hint} (typed never)`);
    return NEVER;
  }

  #warn(warning: string): void {
    if (!this.#warnings.includes(warning)) this.#warnings.push(warning);
  }

  #carries(kind: string): boolean {
    return CARRIERS[kind]?.includes(this.#serializer) ?? true;
  }

  #wire(type: PyType, direction: Direction, where: string, top: boolean): Wire {
    const inner = (t: PyType): Wire => this.#wire(t, direction, where, false);
    const result = direction === "result";
    switch (type.kind) {
      case "unknown":
        return UNKNOWN_WIRE;
      case "never":
        return NEVER;
      case "none":
        return { k: "null" };
      case "scalar":
        switch (type.name) {
          case "bool":
            return { k: "boolean" };
          case "int":
            return { k: "int" };
          case "float":
            return { k: "float" };
          case "str":
            return { k: "string" };
          case "bytes":
            return this.#carries("bytes") ? { k: "bytes" } : this.#cannot("bytes", where);
          case "complex":
            return this.#carries("complex") ? { k: "complex" } : this.#cannot("complex", where);
        }
        break;
      case "list":
        return { k: "array", item: inner(type.item) };
      case "variadic-tuple":
        return { k: "array", item: inner(type.item) };
      case "tuple":
        return { k: "tuple", items: type.items.map((item) => ({ type: inner(item) })) };
      case "set": {
        if (type.frozen && result && !this.#carries("frozenset")) {
          return this.#cannot("frozenset", where);
        }
        const item = inner(type.item);
        if (!result)
          return {
            k: "union",
            members: [
              { k: "set", item },
              { k: "array", item },
            ],
          };
        if (this.#serializer === "json" || this.#serializer === "msgpack") {
          return { k: "array", item };
        }
        // serpent writes an empty set as `()`, which arrives as an empty array.
        if (this.#serializer === "serpent") {
          return {
            k: "union",
            members: [
              { k: "set", item },
              { k: "tuple", items: [] },
            ],
          };
        }
        return { k: "set", item };
      }
      case "dict": {
        const value = inner(type.value);
        if (isStringKey(type.key) || (result && this.#serializer === "json")) {
          return { k: "record", value };
        }
        const map: Wire = { k: "map", key: inner(type.key), value };
        if (!result) return map;
        // Only a dict whose keys are all str arrives as a plain object, so one without keys
        // does too; unknown keys may be either.
        const record: Wire = { k: "record", value: type.key.kind === "unknown" ? value : NEVER };
        return { k: "union", members: [map, record] };
      }
      case "union":
        // A union is not a container: its members stay at the top level.
        return {
          k: "union",
          members: type.members.map((member) => this.#wire(member, direction, where, top)),
        };
      case "literal":
        return { k: "literal", values: type.values };
      case "iterator": {
        const item = inner(type.item);
        if (!result || !top) return { k: "array", item };
        return { k: "iterable", item, orArray: type.maybeList };
      }
      case "alias":
        // An alias of a top-level-only kind (a Pyro object, an iterator) is kept inline.
        if (top && needsTop(type.target)) return this.#wire(type.target, direction, where, top);
        return { k: "named", ref: this.#named(`alias:${type.qualname}`, direction, type) };
      case "stdlib":
        return this.#stdlib(type.name, direction, where);
      case "pyro":
        return { k: type.name === "URI" ? "uri" : "proxy" };
      case "class":
        return this.#class(type.info, direction, where, top);
    }
    return UNKNOWN_WIRE;
  }

  #stdlib(
    name: "datetime" | "date" | "time" | "uuid" | "decimal",
    direction: Direction,
    where: string,
  ): Wire {
    if (direction === "param" || name === "uuid") return { k: "string" };
    const kind = name === "decimal" ? "decimal.Decimal" : `datetime.${name}`;
    if (!this.#carries(kind)) return this.#cannot(kind, where);
    return name === "datetime" && this.#serializer === "msgpack" ? { k: "date" } : { k: "string" };
  }

  #class(info: ClassInfo, direction: Direction, where: string, top: boolean): Wire {
    const override = this.#classOverrides[info.qualname];
    if (override !== undefined) return { k: "external", text: override };
    if (this.#exposure.isExposed(info)) {
      if (direction === "param") return { k: "proxy" };
      if (!this.#carries("a Pyro object (as a proxy)")) {
        // marshal sends the object's attributes instead of a proxy.
        this.#warn(
          `${where}: a Pyro object arrives as a proxy only with serpent, json or msgpack; ` +
            `with ${this.#serializer} it arrives as its attribute dict`,
        );
        return { k: "record", value: UNKNOWN_WIRE };
      }
      // Only a top-level result is turned into a typed client; inside a value it stays a Proxy.
      return top ? { k: "client", info } : { k: "proxy" };
    }
    const shape = this.#shapes.shape(info);
    const result = direction === "result";
    switch (shape.kind) {
      case "enum": {
        if (result) {
          const kind = shape.base === "plain" ? "plain enum" : "int or str enum";
          if (!this.#carries(kind)) return this.#cannot(kind, where);
        }
        return shape.values === undefined ? UNKNOWN_WIRE : { k: "literal", values: shape.values };
      }
      case "exception":
        return UNKNOWN_WIRE;
      case "namedtuple":
        if (result && !this.#carries("NamedTuple")) return this.#cannot("NamedTuple", where);
        break;
      case "dataclass":
      case "plain":
        if (result && !top && !this.#carries("a class instance inside a container")) {
          return this.#cannot("a class instance inside a container", where);
        }
        break;
      case "typeddict":
        break;
    }
    return {
      k: "named",
      ref: this.#named(`class:${info.qualname}`, direction, { kind: "class", info }),
    };
  }

  /** Declare (once per direction) the named type for a class or alias; return its ref. */
  #named(key: string, direction: Direction, type: PyType): NamedRef {
    const ref: NamedRef = { key, direction };
    const id = `${key}|${direction}`;
    if (this.#declarations.has(id) || this.#building.has(id)) return ref;
    this.#building.add(id);
    try {
      const where = `type ${key.slice(key.indexOf(":") + 1)}`;
      let body: Wire;
      let pythonName: string;
      let qualname: string;
      let docstring: string | undefined;
      if (type.kind === "alias") {
        body = this.#wire(type.target, direction, where, false);
        pythonName = type.name;
        qualname = type.qualname;
      } else if (type.kind === "class") {
        body = this.#shapeBody(type.info, direction, where);
        pythonName = type.info.name;
        qualname = type.info.qualname;
        docstring = type.info.cls.docstring;
      } else {
        return ref;
      }
      this.#declarations.set(id, { key: id, direction, pythonName, qualname, docstring, body });
    } finally {
      this.#building.delete(id);
    }
    return ref;
  }

  #shapeBody(info: ClassInfo, direction: Direction, where: string): Wire {
    const shape = this.#shapes.shape(info);
    const fields = (list: readonly FieldShape[]): WireField[] =>
      list.map((field) => ({
        name: field.name,
        type: this.#wire(field.type, direction, `${where} field ${field.name}`, false),
        optional: field.optional,
      }));
    switch (shape.kind) {
      case "typeddict":
        return { k: "object", fields: fields(shape.fields), classTag: "none", open: false };
      case "namedtuple":
        return {
          k: "tuple",
          items: shape.fields.map((field) => ({
            name: field.name,
            type: this.#wire(field.type, direction, `${where} field ${field.name}`, false),
          })),
        };
      case "dataclass":
      case "plain": {
        // serpent adds the class name; Pyro4's own class_to_dict does not on Python 3.11+
        // (object.__getstate__ exists there), but does on older Pythons.
        const classTag =
          direction === "param" ? "none" : this.#serializer === "serpent" ? "required" : "optional";
        return {
          k: "object",
          fields: fields(shape.fields),
          classTag,
          open: shape.kind === "plain",
        };
      }
      default:
        return UNKNOWN_WIRE;
    }
  }
}

function needsTop(type: PyType): boolean {
  if (type.kind === "iterator" || type.kind === "class") return true;
  if (type.kind === "union") return type.members.some(needsTop);
  return false;
}

function isStringKey(key: PyType): boolean {
  if (key.kind === "scalar") return key.name === "str";
  if (key.kind === "literal") return key.values.every((value) => typeof value === "string");
  if (key.kind === "alias") return isStringKey(key.target);
  if (key.kind === "union") return key.members.every(isStringKey);
  return false;
}
