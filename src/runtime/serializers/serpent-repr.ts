/**
 * Python's `repr()` of str and float, which is the text serpent writes for them.
 *
 * Kept apart from the emitter because the rules (quote choice, which characters are
 * "printable", when a float switches to exponent form) are Python's, not serpent's.
 */

/** Non-printable in Python's sense: categories C* and Z*, except the ASCII space. */
const NON_PRINTABLE = /[^\x20-\x7e\p{L}\p{M}\p{N}\p{P}\p{S}]/u;

/**
 * For each UTF-16 code unit outside printable ASCII: 0 not looked at yet, 1 printable, 2
 * escaped. Filled from {@link NON_PRINTABLE} as units are first met, so that long non-ASCII
 * text costs an array read a character instead of a Unicode property match (~19 ns).
 */
const UNIT_KINDS = new Uint8Array(0x10000);

const PRINTABLE = 1;
const ESCAPED = 2;

function escapedUnit(unit: number): boolean {
  let kind = UNIT_KINDS[unit]!;
  if (kind === 0) {
    kind = NON_PRINTABLE.test(String.fromCharCode(unit)) ? ESCAPED : PRINTABLE;
    UNIT_KINDS[unit] = kind;
  }
  return kind === ESCAPED;
}

/**
 * Python's `repr(s)`: single quotes unless `s` holds `'` but no `"`; `\\`, the quote,
 * `\t \n \r` escaped; other non-printable characters (controls, format characters,
 * separators other than space, lone surrogates, unassigned code points) as
 * `\xhh`/`\uhhhh`/`\Uhhhhhhhh`; everything else literally.
 */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  const quoteCode = quote.charCodeAt(0);
  let out = "";
  let chunk = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f && c !== quoteCode && c !== 0x5c) continue;
    // A surrogate pair is one character: printable or not as its code point is.
    const width = c >= 0xd800 && c < 0xdc00 && isLowSurrogate(s.charCodeAt(i + 1)) ? 2 : 1;
    const escaped =
      width === 2 ? NON_PRINTABLE.test(s.slice(i, i + 2)) : c < 0x7f || escapedUnit(c);
    if (escaped) {
      out += s.slice(chunk, i) + escapeChar(s.slice(i, i + width), quote);
      chunk = i + width;
    }
    i += width - 1;
  }
  return quote + (chunk === 0 ? s : out + s.slice(chunk)) + quote;
}

/**
 * Whether repr escapes a character of `s` from DEL on: DEL itself, a character that is not
 * printable, or a lone surrogate. Text without one is written as its UTF-8, with only its
 * ASCII escaped (backslash, the quote, controls), which the escape tables do.
 */
export function escapesBeyondAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // Surrogates, DEL and whatever is escaped are never marked printable.
    if (c < 0x7f || UNIT_KINDS[c] === PRINTABLE) continue;
    if (c >= 0xd800 && c < 0xdc00 && isLowSurrogate(s.charCodeAt(i + 1))) {
      if (NON_PRINTABLE.test(s.slice(i, i + 2))) return true;
      i++;
    } else if (escapedUnit(c)) {
      return true;
    }
  }
  return false;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit < 0xe000;
}

function escapeChar(char: string, quote: string): string {
  switch (char) {
    case "\\":
      return "\\\\";
    case "'":
    case '"':
      return char === quote ? "\\" + char : char;
    case "\t":
      return "\\t";
    case "\n":
      return "\\n";
    case "\r":
      return "\\r";
  }
  const code = char.codePointAt(0) ?? 0;
  if (code < 0x100) return "\\x" + hex(code, 2);
  if (code < 0x10000) return "\\u" + hex(code, 4);
  return "\\U" + hex(code, 8);
}

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, "0");
}

/**
 * Python's `repr(x)` of a finite float: the shortest round-trip digits (as JS finds them),
 * fixed notation with at least one decimal (`1.0`, `0.0001`) for 1e-4 <= |x| < 1e16,
 * otherwise exponent notation with a sign and at least two exponent digits (`1e+16`, `1e-05`).
 */
export function pyFloatRepr(x: number): string {
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const magnitude = x < 0 ? -x : x;
  if (magnitude >= 1e-4 && magnitude < 1e16) {
    const text = String(x);
    return Number.isInteger(x) ? text + ".0" : text;
  }
  const text = x.toExponential();
  const signAt = text.indexOf("e") + 2;
  const exponent = text.slice(signAt);
  return text.slice(0, signAt) + (exponent.length === 1 ? "0" + exponent : exponent);
}
