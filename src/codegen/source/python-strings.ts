/**
 * Python string literals as the interpreter reads them: prefixes (`r`, `b`, `u`, `f`), single
 * or triple quotes, and the escape sequences of str and bytes literals. Used for docstrings,
 * string annotations (`"Song"`), `Literal["a"]` values and defaults.
 */

/** A decoded literal. */
export interface DecodedString {
  readonly value: string;
  readonly bytes: boolean;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  "\n": "",
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

/**
 * Decode one literal (`'x'`, `r"""x"""`, `b'\x00'`). f-strings are returned undefined:
 * their value is not known without running the code.
 */
export function decodeStringLiteral(literal: string): DecodedString | undefined {
  const match = /^([A-Za-z]*)('''|"""|'|")/.exec(literal);
  if (match === null) return undefined;
  const prefix = match[1]!.toLowerCase();
  const quote = match[2]!;
  if (prefix.includes("f") || prefix.includes("t")) return undefined;
  if (!literal.endsWith(quote) || literal.length < prefix.length + quote.length * 2) {
    return undefined;
  }
  const body = literal.slice(prefix.length + quote.length, literal.length - quote.length);
  const bytes = prefix.includes("b");
  if (prefix.includes("r")) return { value: body, bytes };
  return { value: unescape(body, bytes), bytes };
}

function unescape(body: string, bytes: boolean): string {
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const char = body[i]!;
    if (char !== "\\" || i + 1 >= body.length) {
      out += char;
      continue;
    }
    const next = body[i + 1]!;
    if (Object.hasOwn(SIMPLE_ESCAPES, next)) {
      out += SIMPLE_ESCAPES[next];
      i += 1;
    } else if (/[0-7]/.test(next)) {
      const digits = /^[0-7]{1,3}/.exec(body.slice(i + 1))![0];
      out += String.fromCharCode(parseInt(digits, 8));
      i += digits.length;
    } else if (next === "x" || (!bytes && (next === "u" || next === "U"))) {
      const width = next === "x" ? 2 : next === "u" ? 4 : 8;
      const hex = body.slice(i + 2, i + 2 + width);
      if (hex.length === width && /^[0-9a-fA-F]+$/.test(hex)) {
        const code = parseInt(hex, 16);
        out += code <= 0x10ffff ? String.fromCodePoint(code) : `\\${next}${hex}`;
        i += 1 + width;
      } else {
        out += "\\";
      }
    } else if (!bytes && next === "N" && body[i + 2] === "{") {
      // \N{NAME}: the name table is not worth carrying; keep the escape as written.
      const close = body.indexOf("}", i);
      out += close < 0 ? "\\" : body.slice(i, close + 1);
      i = close < 0 ? i : close;
    } else {
      out += "\\"; // unknown escapes stay as they are, as in Python
    }
  }
  return out;
}

/**
 * Clean a docstring as `inspect.cleandoc` does: expand tabs, drop the common indentation of
 * every line but the first, and trim blank lines at both ends.
 */
export function cleanDocstring(doc: string): string {
  const lines = doc.replace(/\t/g, "        ").split(/\r\n|\r|\n/);
  let margin = Infinity;
  for (const line of lines.slice(1)) {
    const content = line.trimStart();
    if (content !== "") margin = Math.min(margin, line.length - content.length);
  }
  const cleaned = [lines[0]!.trimStart()];
  for (const line of lines.slice(1)) {
    cleaned.push(margin === Infinity ? line : line.slice(margin));
  }
  while (cleaned.length > 0 && cleaned[0]!.trim() === "") cleaned.shift();
  while (cleaned.length > 0 && cleaned[cleaned.length - 1]!.trim() === "") cleaned.pop();
  return cleaned.map((line) => line.trimEnd()).join("\n");
}
