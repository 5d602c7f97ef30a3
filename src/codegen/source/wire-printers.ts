/**
 * Wire types printed as source: TypeScript types for the module's signatures, and zod
 * schemas for `--validate`. Every string that reaches the source goes through `literal()`
 * or is an identifier pyrogen allocated, as the safe-name rule in `names.ts` requires.
 */
import { literal, memberName } from "../names.js";
import type { LiteralValue } from "./py-types.js";
import type { ClassInfo } from "./symbols.js";
import type { Direction, NamedRef, Wire, WireField } from "./wire-types.js";

/** How printers name what the module declares. */
export interface PrintNames {
  /** The TypeScript name of a named declaration. */
  type(ref: NamedRef): string;
  /** The client type name of a Pyro class (`CounterClient`). */
  client(info: ClassInfo): string;
}

const PLAIN_LABEL = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A TypeScript type for `wire`. */
export function printType(wire: Wire, names: PrintNames, direction: Direction): string {
  const param = direction === "param";
  const nested = (w: Wire): string => printType(w, names, direction);
  switch (wire.k) {
    case "unknown":
    case "never":
    case "null":
    case "void":
    case "boolean":
    case "string":
      return wire.k;
    case "int":
    case "float":
      return "number";
    case "bytes":
      return "Uint8Array";
    case "complex":
      return "pyrogen.PyComplex";
    case "date":
      return "Date";
    case "array":
      return `${param ? "readonly " : ""}${element(nested(wire.item))}[]`;
    case "tuple": {
      const labelled =
        wire.items.length > 0 &&
        wire.items.every((item) => item.name !== undefined && PLAIN_LABEL.test(item.name));
      const items = wire.items.map((item) =>
        labelled ? `${item.name}: ${nested(item.type)}` : nested(item.type),
      );
      return `${param ? "readonly " : ""}[${items.join(", ")}]`;
    }
    case "set":
      return `${param ? "ReadonlySet" : "Set"}<${nested(wire.item)}>`;
    case "record":
      return param
        ? `Readonly<Record<string, ${nested(wire.value)}>>`
        : `Record<string, ${nested(wire.value)}>`;
    case "map":
      return `${param ? "ReadonlyMap" : "Map"}<${nested(wire.key)}, ${nested(wire.value)}>`;
    case "union": {
      const members = [...new Set(wire.members.map(nested))].filter((m) => m !== "never");
      if (members.includes("unknown")) return "unknown";
      if (members.length === 0) return "never";
      return members.join(" | ");
    }
    case "literal":
      return wire.values.length === 0 ? "never" : wire.values.map(literalType).join(" | ");
    case "iterable": {
      const item = nested(wire.item);
      return wire.orArray
        ? `AsyncIterable<${item}> | ${element(item)}[]`
        : `AsyncIterable<${item}>`;
    }
    case "named":
      return names.type(wire.ref);
    case "object":
      return objectType(wire.fields, wire.classTag, wire.open, nested);
    case "uri":
      return "pyrogen.URI";
    case "proxy":
      return "pyrogen.PyroProxy";
    case "client":
      return names.client(wire.info);
    case "external":
      return wire.text;
  }
}

function objectType(
  fields: readonly WireField[],
  classTag: "required" | "optional" | "none",
  open: boolean,
  print: (w: Wire) => string,
): string {
  const lines: string[] = [];
  if (classTag !== "none") lines.push(`__class__${classTag === "optional" ? "?" : ""}: string;`);
  for (const field of fields) {
    if (field.name === "__class__") continue;
    lines.push(`${memberName(field.name)}${field.optional ? "?" : ""}: ${print(field.type)};`);
  }
  if (open) lines.push("[key: string]: unknown;");
  return lines.length === 0 ? "Record<string, never>" : `{\n${lines.join("\n")}\n}`;
}

/** Parenthesize a union or function type used as an array element. */
function element(text: string): string {
  return /[|&]/.test(text) && !/^[A-Za-z_.]+<.*>$/.test(text) ? `(${text})` : text;
}

function literalType(value: LiteralValue): string {
  if (value === null) return "null";
  if (typeof value === "string") return literal(value);
  if (typeof value === "bigint") return `${value}n`;
  return String(value);
}

/** Names of the helper schemas a module needs besides zod's own. */
export type SchemaHelper = "pyFloat" | "remoteIterable";

/** Source of the helper schemas. */
export const SCHEMA_HELPERS: Readonly<Record<SchemaHelper, string>> = {
  // zod's number() refuses NaN and ±Infinity, which a Python float may be.
  pyFloat:
    'const pyFloat = z.custom<number>((value) => typeof value === "number", ' +
    '"Invalid input: expected float (a number)");',
  remoteIterable:
    "const remoteIterable = z.custom<AsyncIterable<unknown>>(\n" +
    '(value) => typeof value === "object" && value !== null && Symbol.asyncIterator in value,\n' +
    '"Invalid input: expected a remote iterator",\n);',
};

/** A zod schema expression for a received `wire` value; records the helpers it uses. */
export function printSchema(
  wire: Wire,
  schemaName: (ref: NamedRef) => string,
  helpers: Set<SchemaHelper>,
): string {
  const nested = (w: Wire): string => printSchema(w, schemaName, helpers);
  switch (wire.k) {
    case "unknown":
    case "external":
      return "z.unknown()";
    case "never":
      return "z.never()";
    case "null":
    case "void":
      return "z.null()";
    case "boolean":
      return "z.boolean()";
    case "int":
      return "z.int()";
    case "float":
      helpers.add("pyFloat");
      return "pyFloat";
    case "string":
      return "z.string()";
    case "bytes":
      return "z.instanceof(Uint8Array)";
    case "complex":
      return "z.instanceof(pyrogen.PyComplex)";
    case "date":
      return "z.date()";
    case "array":
      return `z.array(${nested(wire.item)})`;
    case "tuple":
      return `z.tuple([${wire.items.map((item) => nested(item.type)).join(", ")}])`;
    case "set":
      return `z.set(${nested(wire.item)})`;
    case "record":
      return `z.record(z.string(), ${nested(wire.value)})`;
    case "map":
      return `z.map(${nested(wire.key)}, ${nested(wire.value)})`;
    case "union": {
      const members = [...new Set(wire.members.map(nested))].filter((m) => m !== "z.never()");
      if (members.includes("z.unknown()")) return "z.unknown()";
      if (members.length === 0) return "z.never()";
      return members.length === 1 ? members[0]! : `z.union([${members.join(", ")}])`;
    }
    case "literal": {
      const values = wire.values.map(
        (value) => `z.literal(${value === null ? "null" : literalType(value)})`,
      );
      if (values.length === 0) return "z.never()";
      return values.length === 1 ? values[0]! : `z.union([${values.join(", ")}])`;
    }
    case "iterable":
      helpers.add("remoteIterable");
      return wire.orArray
        ? `z.union([remoteIterable, z.array(${nested(wire.item)})])`
        : "remoteIterable";
    case "named":
      return `z.lazy(() => ${schemaName(wire.ref)})`;
    case "object": {
      const entries: string[] = [];
      if (wire.classTag !== "none") {
        entries.push(`__class__: z.string()${wire.classTag === "optional" ? ".optional()" : ""}`);
      }
      for (const field of wire.fields) {
        if (field.name === "__class__") continue;
        // A computed key, so a field named `__proto__` is an own key, not the prototype.
        const key =
          PLAIN_LABEL.test(field.name) && field.name !== "__proto__"
            ? field.name
            : `[${literal(field.name)}]`;
        entries.push(`${key}: ${nested(field.type)}${field.optional ? ".optional()" : ""}`);
      }
      return `z.object({ ${entries.join(", ")} })`;
    }
    case "uri":
      return "z.instanceof(pyrogen.URI)";
    case "proxy":
    case "client":
      return "z.instanceof(pyrogen.PyroProxy)";
  }
}
