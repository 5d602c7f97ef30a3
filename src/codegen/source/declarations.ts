/**
 * The named types a module declares from the source (`export interface Song {…}`) and their
 * zod schemas: names allocated once, a parameter form sharing its result form's name when
 * both are the same shape (else `SongInput`), printed in a stable order.
 */
import { memberDoc } from "./member-docs.js";
import type { ClassInfo } from "./symbols.js";
import type { TypeNames } from "./type-names.js";
import {
  printSchema,
  printType,
  SCHEMA_HELPERS,
  type PrintNames,
  type SchemaHelper,
} from "./wire-printers.js";
import type { NamedRef, Wire, WireDeclaration } from "./wire-types.js";

/** Names and prints the declarations of one module. */
export class Declarations {
  readonly #all: readonly WireDeclaration[];
  readonly #names: TypeNames;
  readonly #typeNames = new Map<string, string>();
  readonly #schemaNames = new Map<string, string>();
  /** Parameter forms printed as their result form: declaration key → the result form's key. */
  readonly #shared = new Map<string, string>();
  readonly #helpers = new Set<SchemaHelper>();
  /** How printers name declarations and clients. */
  readonly printNames: PrintNames;

  /** Allocate names for every declaration (after every member has been mapped). */
  constructor(
    declarations: readonly WireDeclaration[],
    names: TypeNames,
    clientTypeName: (info: ClassInfo) => string,
  ) {
    this.#all = declarations;
    this.#names = names;
    const keys = new Set(declarations.map((d) => d.key));
    for (const declaration of declarations) {
      if (declaration.direction !== "param") continue;
      const resultKey = declaration.key.replace(/\|param$/, "|result");
      const resultForm = declarations.find((d) => d.key === resultKey);
      if (resultForm !== undefined && sameShape(resultForm.body, declaration.body)) {
        this.#shared.set(declaration.key, resultKey);
      }
    }
    for (const declaration of declarations) {
      if (this.#shared.has(declaration.key)) continue;
      const hasResultForm =
        declaration.direction === "param" &&
        keys.has(declaration.key.replace(/\|param$/, "|result"));
      this.#typeNames.set(
        declaration.key,
        names.allocate(`${declaration.pythonName}${hasResultForm ? "Input" : ""}`),
      );
    }
    this.printNames = { type: (ref) => this.#typeName(ref), client: clientTypeName };
  }

  /** A zod schema expression for a received value (records the helpers and named schemas it uses). */
  schema(wire: Wire): string {
    return printSchema(wire, (ref) => this.#schemaName(ref), this.#helpers);
  }

  /** `export interface …` / `export type …` statements, sorted by name. */
  types(): string[] {
    return this.#all
      .filter((d) => !this.#shared.has(d.key))
      .map((d) => ({ name: this.#typeNames.get(d.key)!, d }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map(({ name, d }) => declare(name, d, this.printNames));
  }

  /** The helper and named schema statements every printed schema refers to. */
  schemas(): string[] {
    const schemas: string[] = [];
    const printed = new Set<string>();
    // Printing a schema may name more schemas: repeat until nothing new is named.
    let progress = true;
    while (progress) {
      progress = false;
      for (const declaration of this.#all) {
        const name = this.#schemaNames.get(declaration.key);
        if (name === undefined || printed.has(declaration.key)) continue;
        printed.add(declaration.key);
        progress = true;
        // Typed as z.ZodType: a schema may refer to itself (a recursive TypedDict).
        schemas.push(`const ${name}: z.ZodType = ${this.schema(declaration.body)};`);
      }
    }
    const helpers = [...this.#helpers].sort().map((helper) => SCHEMA_HELPERS[helper]);
    return [...helpers, ...schemas.sort()];
  }

  #typeName(ref: NamedRef): string {
    const id = `${ref.key}|${ref.direction}`;
    return this.#typeNames.get(this.#shared.get(id) ?? id)!;
  }

  #schemaName(ref: NamedRef): string {
    const id = `${ref.key}|${ref.direction}`;
    let name = this.#schemaNames.get(id);
    if (name === undefined) {
      name = this.#names.allocate(`${this.#typeName(ref)}Schema`);
      this.#schemaNames.set(id, name);
    }
    return name;
  }
}

function declare(name: string, declaration: WireDeclaration, names: PrintNames): string {
  const doc = memberDoc({ kind: "class", docstring: declaration.docstring });
  const comment =
    doc.length === 0 ? "" : `/**\n${doc.map((line) => ` * ${line}`.trimEnd()).join("\n")}\n */\n`;
  const text = printType(declaration.body, names, declaration.direction);
  if (declaration.body.k === "object" && text.startsWith("{")) {
    return `${comment}export interface ${name} ${text}`;
  }
  return `${comment}export type ${name} = ${text};`;
}

/** Structural equality of two wire bodies, ignoring which direction named refs travel. */
function sameShape(a: Wire, b: Wire): boolean {
  const normalize = (wire: Wire): string =>
    JSON.stringify(wire, (key, value: unknown) => {
      if (key === "direction") return undefined;
      if (key === "info") return (value as ClassInfo).qualname;
      return typeof value === "bigint" ? `${value}n` : value;
    });
  return normalize(a) === normalize(b);
}
