/**
 * Names for the types a module declares from the Python source (`Song`, `TreeNode`,
 * `Counter`): valid, unique, ASCII identifiers that shadow neither a global type nor one of
 * the module's own names. A Python name that cannot be used as it is gets a safe variant.
 */
import { safeTypeName } from "../names.js";

// Words that cannot name a type (keywords and TypeScript's predefined type names).
const NOT_TYPE_NAMES = new Set(
  (
    "any unknown never string number boolean bigint symbol object void undefined null " +
    "break case catch class const continue debugger default delete do else enum export " +
    "extends false finally for function if import in instanceof new return super switch " +
    "this throw true try typeof var while with implements interface let package private " +
    "protected public static yield await type keyof infer is asserts readonly unique " +
    "pyrogen z"
  ).split(" "),
);

/** Allocates declaration names for one module. */
export class TypeNames {
  readonly #taken: Set<string>;

  /** `taken`: names the module already uses (the client's own type names). */
  constructor(taken: Iterable<string>) {
    this.#taken = new Set(taken);
  }

  /** Reserve a name chosen elsewhere. */
  reserve(name: string): void {
    this.#taken.add(name);
  }

  /** A fresh name as close to `preferred` as the rules allow. */
  allocate(preferred: string): string {
    let base = preferred.replace(/[^A-Za-z0-9_]/g, "_");
    if (base === "" || /^[0-9]/.test(base)) base = `Type${base}`;
    if (NOT_TYPE_NAMES.has(base)) base = `${base}_`;
    base = safeTypeName(base);
    let name = base;
    for (let n = 2; this.#taken.has(name); n++) name = `${base}${n}`;
    this.#taken.add(name);
    return name;
  }
}
