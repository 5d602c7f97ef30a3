/**
 * TSDoc for members typed from the source: the docstring's summary and description, then
 * `@param`, `@returns` and `@throws` from its sections (and from the `raise` statements the
 * body visibly makes). Docstring text is made inert for a comment: `*\/` cannot end it, `@`
 * cannot start a tag, and invisible or direction-changing characters are shown as escapes.
 */
import type { Docstring } from "./docstrings.js";
import { parseDocstring } from "./docstrings.js";
import type { TypedMethod } from "./member-types.js";

/** What to document. */
export type DocRequest =
  | {
      readonly kind: "method";
      readonly method: TypedMethod;
      readonly paramNames: readonly string[];
    }
  | { readonly kind: "attribute"; readonly doc: Docstring | undefined; readonly readonly: boolean }
  | { readonly kind: "class"; readonly docstring: string | undefined };

// Controls, zero-width and bidi characters: shown as \uXXXX so a comment reads as it is.
const INVISIBLE =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

/** Text from a docstring, safe inside a `/** … *\/` comment. */
export function commentText(text: string): string {
  return text
    .replace(INVISIBLE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`)
    .replace(/\*\//g, "*\\/")
    .replace(/@/g, "\\@");
}

/** The comment lines (without `/**`, ` * ` or `*\/`) for a member. */
export function memberDoc(request: DocRequest): string[] {
  switch (request.kind) {
    case "class":
      return request.docstring === undefined ? [] : prose(parseDocstring(request.docstring));
    case "attribute": {
      const lines = request.doc === undefined ? [] : prose(request.doc);
      if (request.readonly) {
        if (lines.length > 0) lines.push("");
        lines.push("Read-only: the Python property has no setter.");
      }
      return lines;
    }
    case "method":
      return methodDoc(request.method, request.paramNames);
  }
}

function prose(doc: Docstring): string[] {
  const lines: string[] = [];
  if (doc.summary !== "") lines.push(...commentText(doc.summary).split("\n"));
  if (doc.description !== "") lines.push("", ...commentText(doc.description).split("\n"));
  return lines;
}

function methodDoc(method: TypedMethod, paramNames: readonly string[]): string[] {
  const doc = method.doc;
  const lines = doc === undefined ? [] : prose(doc);
  const tags: string[] = [];
  const positional = method.params.filter(
    (p) => p.kind === "positional" || p.kind === "positional-only" || p.kind === "var-positional",
  );
  for (const [index, param] of positional.entries()) {
    const description = param.doc;
    const name = paramNames[index];
    if (description !== undefined && description !== "" && name !== undefined) {
      tags.push(`@param ${name} - ${commentText(description)}`);
    }
  }
  const keywords = method.params.filter(
    (p) =>
      (p.kind === "keyword-only" || p.kind === "var-keyword") &&
      p.doc !== undefined &&
      p.doc !== "",
  );
  if (keywords.length > 0 && paramNames.includes("kwargs")) {
    const described = keywords.map((p) => `\`${commentText(p.name)}\`: ${commentText(p.doc!)}`);
    tags.push(
      `@param kwargs - keyword arguments (pass \`kwargs({...})\`): ${described.join("; ")}`,
    );
  }
  if (method.oneway) {
    tags.push("@returns once the call is sent (oneway: no result and no remote error come back)");
  } else {
    const returns = method.generator ? (doc?.yields ?? doc?.returns) : doc?.returns;
    if (returns !== undefined && returns.description !== "") {
      tags.push(`@returns ${commentText(returns.description)}`);
    }
  }
  for (const raised of method.raises) {
    const description = raised.description === "" ? "" : ` — ${commentText(raised.description)}`;
    tags.push(
      `@throws {@link pyrogen.PyroError} for a remote \`${commentText(raised.type)}\`${description}`,
    );
  }
  if (tags.length > 0 && lines.length > 0) lines.push("");
  return [...lines, ...tags];
}
