/**
 * Run-time checks of results against the types a module was generated with (`pyrogen
 * --validate`). A check is any Standard Schema (https://standardschema.dev) — generated
 * modules use zod's — so the runtime depends on no schema library. A value that does not
 * match rejects with a `PyroError` of code `validation` naming the member, where in the value
 * the mismatch is, and what was expected and received.
 */
import { PyroError } from "./errors.js";

/** The part of the Standard Schema v1 interface pyrogen uses. */
export interface StandardSchema {
  readonly "~standard": {
    readonly validate: (value: unknown) => StandardResult | Promise<StandardResult>;
  };
}

/** A Standard Schema validation result. */
export type StandardResult =
  | { readonly value: unknown; readonly issues?: undefined }
  | { readonly issues: readonly StandardIssue[] };

/** One Standard Schema issue. */
export interface StandardIssue {
  readonly message: string;
  readonly path?: readonly (PropertyKey | { readonly key: PropertyKey })[] | undefined;
}

/** The checks of one member: its value (a result or attribute) and, for iterators, each item. */
export interface ResultCheck {
  readonly value?: StandardSchema;
  readonly items?: StandardSchema;
}

/** Check `value` against `schema`; resolves to the value, or rejects with a `validation` error. */
export async function checkValue<T>(schema: StandardSchema, value: T, what: string): Promise<T> {
  const result = await schema["~standard"].validate(value);
  if (result.issues === undefined) return value;
  throw validationError(result.issues, what);
}

/** An async iterable whose items are each checked as they arrive. */
export async function* checkItems<T>(
  items: AsyncIterable<T>,
  schema: StandardSchema,
  what: string,
): AsyncGenerator<T> {
  let index = 0;
  // `for await` forwards an early `return()` (a `break`) to the remote iterator.
  for await (const item of items) {
    yield await checkValue(schema, item, `${what}, item ${index}`);
    index += 1;
  }
}

function validationError(issues: readonly StandardIssue[], what: string): PyroError {
  const shown = issues.slice(0, 3).map((issue) => {
    const path = formatPath(issue.path ?? []);
    return `${path === "" ? "" : `at ${path}: `}${issue.message}`;
  });
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : "";
  return new PyroError(
    "validation",
    `${what} does not match its generated type: ${shown.join("; ")}${more}. ` +
      "The server's code and the generated module differ: regenerate the module, or fix the server",
  );
}

/** `[0].title`, `.songs[2]`: a path as one would write it to reach the value. */
function formatPath(path: readonly (PropertyKey | { readonly key: PropertyKey })[]): string {
  return path
    .map((segment) => (typeof segment === "object" ? segment.key : segment))
    .map((key) =>
      typeof key === "number"
        ? `[${key}]`
        : typeof key === "string" && /^[A-Za-z_$][\w$]*$/.test(key)
          ? `.${key}`
          : `[${JSON.stringify(String(key))}]`,
    )
    .join("");
}
