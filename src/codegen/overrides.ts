/**
 * Type overrides: the second source of types (Pyro metadata carries names only). A config
 * target may give parameter, keyword, return and item types for chosen methods and value
 * types for attributes; everything else stays `unknown`.
 */
import { z } from "zod";
import { isParameterName, TYPE_NAME } from "./names.js";
import { tsMorph } from "./ts-morph.js";

const { ts } = tsMorph;

/** A TypeScript type written as source text, e.g. `string`, `{ title: string }[]`. */
const typeText = z
  .string()
  .min(1)
  .refine(isSingleType, { message: "must be exactly one TypeScript type, e.g. string[]" });

const parameterSchema = z.strictObject({
  name: z.string().refine(isParameterName, {
    message: "must be a plain identifier that is not a reserved word",
  }),
  type: typeText,
  optional: z.boolean().optional(),
});

/**
 * The client of another generated module: the proxy a method returns arrives as that
 * module's typed client.
 */
export const clientReferenceSchema = z.strictObject({
  /** The generated module, relative to this one: `./counter.js`. */
  module: z.string().regex(/^\.\.?\/[A-Za-z0-9_./-]+\.js$/, {
    message: "must be a relative path to a generated module, e.g. ./counter.js",
  }),
  /** Its type name: the module exports `<client>Descriptor` and `<client>Client`. */
  client: z.string().regex(TYPE_NAME, { message: "must be the module's PascalCase type name" }),
});

/** Types for one remote method. */
export const methodTypesSchema = z.strictObject({
  /** Positional parameters, in order. Without it the method takes `...args: unknown[]`. */
  params: z.array(parameterSchema).optional(),
  /** The keyword arguments object, passed as a trailing `kwargs({...})`. */
  kwargs: typeText.optional(),
  /** What the call resolves to: a type, or the client of another generated module. */
  returns: z.union([typeText, clientReferenceSchema]).optional(),
  /** For generators: the item type; the call then resolves to `AsyncIterable<yields>`. */
  yields: typeText.optional(),
});

/**
 * Per-target type overrides: `{ methods: { name: {...} }, attrs: { name: "type" },
 * classes: { "module.Name": "type" } }`. `classes` gives the TypeScript type a registered
 * class hook turns a Python class's instances into (used with `--source`).
 */
export const typeOverridesSchema = z.strictObject({
  methods: z.record(z.string(), methodTypesSchema).optional(),
  attrs: z.record(z.string(), typeText).optional(),
  classes: z.record(z.string(), typeText).optional(),
});

/** Types for one remote method. */
export type MethodTypes = z.infer<typeof methodTypesSchema>;
/** The client of another generated module. */
export type ClientReference = z.infer<typeof clientReferenceSchema>;
/** Per-target type overrides. */
export type TypeOverrides = z.infer<typeof typeOverridesSchema>;

/**
 * True if `text` parses as one complete TypeScript type and nothing else, so an override
 * can never smuggle statements into the module.
 */
export function isSingleType(text: string): boolean {
  const wrapped = `type T = (${text});`;
  const file = ts.createSourceFile("override.ts", wrapped, ts.ScriptTarget.Latest, false);
  const diagnostics = (file as unknown as { parseDiagnostics?: readonly unknown[] })
    .parseDiagnostics;
  if (diagnostics === undefined || diagnostics.length > 0) return false;
  const [statement, ...rest] = file.statements;
  return (
    statement !== undefined &&
    rest.length === 0 &&
    ts.isTypeAliasDeclaration(statement) &&
    statement.type.getText(file) === `(${text})`
  );
}
