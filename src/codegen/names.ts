/**
 * The safe-name rule: how a remote name reported by a daemon becomes TypeScript source, and
 * why it can never inject code.
 *
 * 1. Every remote name is kept as it is — no mangling — so `client.play()` calls `play` and
 *    `client["odd-name"]()` calls `odd-name`.
 * 2. A name that is a plain ASCII identifier (`[A-Za-z_][A-Za-z0-9_]*`) is emitted bare;
 *    reserved words are fine there (`client.delete()` is valid TypeScript). Any other name
 *    is emitted as a quoted property name.
 * 3. Every string that reaches the source (quoted names, URIs, descriptor entries, the
 *    banner) goes through {@link literal}: JSON escaping plus `\uXXXX` for every character
 *    outside printable ASCII, so quotes, backticks, newlines, `*\/`, `${`, RTL overrides and
 *    zero-width characters all end up as inert escapes inside a string literal. Remote names
 *    never appear in comments.
 * 4. Names that would collide with the client's own surface are not emitted as members:
 *    names starting with `$` (every control member starts with `$`) and `then` (it would make
 *    the client a thenable). They stay in the descriptor and are reachable through
 *    `client.$proxy.$call(name, …)`; the generator reports them as warnings.
 */

export { isReservedMember, reservedReason } from "@pyrogen/runtime/wire";

const PLAIN_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A TypeScript string literal for `text` that contains printable ASCII only. */
export function literal(text: string): string {
  return JSON.stringify(text).replace(
    /[^\x20-\x7e]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** The property name to emit for a remote name: bare if a plain identifier, else quoted. */
export function memberName(name: string): string {
  return PLAIN_IDENTIFIER.test(name) ? name : literal(name);
}

// Globals a generated module (or a type override) may refer to; a type with the same name
// would shadow them inside the module.
const SHADOWED_GLOBALS = new Set([
  "Array",
  "ArrayLike",
  "AsyncIterable",
  "AsyncIterator",
  "Awaited",
  "BigInt",
  "Boolean",
  "Date",
  "Error",
  "Exclude",
  "Extract",
  "Function",
  "Iterable",
  "Iterator",
  "Map",
  "NonNullable",
  "Number",
  "Object",
  "Omit",
  "Partial",
  "Pick",
  "Promise",
  "PromiseLike",
  "ReadonlyArray",
  "ReadonlyMap",
  "ReadonlySet",
  "Readonly",
  "Record",
  "Required",
  "ReturnType",
  "Set",
  "String",
  "Symbol",
  "Uint8Array",
]);

/** A type name given by the user: PascalCase ASCII, so it is safe and conventional. */
export const TYPE_NAME = /^[A-Z][A-Za-z0-9]*$/;

/**
 * The type name for an object: the PascalCase of the ASCII letters and digits of `source`
 * (`example.musicserver` → `ExampleMusicserver`), prefixed with `Remote` when that is empty
 * or starts with a digit, suffixed with `Remote` when it would shadow a global type.
 */
export function typeNameFor(source: string): string {
  const words = source.split(/[^A-Za-z0-9]+/).filter((word) => word !== "");
  let name = words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join("");
  if (name === "" || /^[0-9]/.test(name)) name = `Remote${name}`;
  return safeTypeName(name);
}

/** What is wrong with a user-given type name, or `undefined` if it can be used. */
export function typeNameProblem(name: string): string | undefined {
  if (!TYPE_NAME.test(name)) return "must be a PascalCase name of ASCII letters and digits";
  if (SHADOWED_GLOBALS.has(name)) return `would shadow the global type ${name}; choose another`;
  return undefined;
}

/** `name`, or `name + "Remote"` when `name` would shadow a global type. */
export function safeTypeName(name: string): string {
  return SHADOWED_GLOBALS.has(name) ? `${name}Remote` : name;
}

/** The file name for a type name: `MusicServer` → `music-server.ts`. */
export function fileNameFor(typeName: string): string {
  return `${typeName
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1-$2")
    .toLowerCase()}.ts`;
}

// Words that cannot name a parameter in strict-mode TypeScript.
const RESERVED_WORDS = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends " +
    "false finally for function if import in instanceof new null return super switch this throw " +
    "true try typeof var void while with implements interface let package private protected " +
    "public static yield await arguments eval"
  ).split(" "),
);

/** True if `name` can be a parameter name in the emitted code. */
export function isParameterName(name: string): boolean {
  return PLAIN_IDENTIFIER.test(name) && !RESERVED_WORDS.has(name);
}
