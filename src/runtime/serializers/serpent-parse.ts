/**
 * The serpent decoder: the Python literal grammar that `ast.literal_eval` reads, scanned by
 * hand from one decoded string (index arithmetic and `charCodeAt`, no regex per token).
 *
 * Values follow the mapping in docs/internals.md. The parser refuses what Python refuses
 * (leading zeros, ints over 4300 digits, `--1`, `1+2`, NUL characters, `\N{…}` is refused
 * too), with three leniencies: serpent's own `(1.5+-0.0j)` for a negative-zero imaginary
 * part (which `ast.literal_eval` rejects) reads as the complex it denotes; newlines may
 * separate tokens outside brackets; and lists/dicts are accepted as dict keys or set
 * elements (JS has no hashing rule to break).
 *
 * Why one file over 500 lines: it is one recursive-descent parser whose methods share the
 * scanner's position and the sign/complex state; split across files they would need that
 * state passed around or exposed, which costs speed on the hot decode path and readability.
 */
import { Buffer } from "node:buffer";
import { PyroError } from "../errors.js";
import { PyComplex, intFromBigInt, setDictEntry } from "../values.js";
import type { ClassRegistry } from "./class-registry.js";
import { decodeUtf8 } from "./codec-util.js";
import { LONG_STRING_MIN, unescapedText } from "./long-string.js";
import { simpleEscapes } from "./plain-text.js";

/** How deeply containers may nest before the input is refused. */
export const MAX_DEPTH = 1000;

/** Python 3.11 refuses decimal ints longer than this (`sys.int_info.default_max_str_digits`). */
const MAX_INT_DIGITS = 4300;

// What the last parsed expression was, for Python's rules on signs and complex sums:
// a sign applies to an unsigned number, a sum is (signed) real + imaginary.
const OTHER = 0;
const INT = 1;
const FLOAT = 2;
const IMAG = 3;
const SIGNED_INT = 4;
const SIGNED_FLOAT = 5;
const SIGNED_IMAG = 6;
const SUM = 7;

/** 10^0 … 10^15, all exact doubles. */
const POWERS_OF_TEN = Array.from({ length: 16 }, (_, k) => Number(`1e${k}`));

/**
 * Parse a serpent document (UTF-8 bytes) into a value, reviving class dicts through
 * `registry`. Every failure is a `PyroError` with code `serialize` naming the byte offset.
 */
export function parseSerpent(data: Uint8Array, registry: ClassRegistry): unknown {
  const alone = data.length >= LONG_STRING_MIN ? loneLongString(data) : undefined;
  if (alone !== undefined) return alone;
  let text: string;
  try {
    text = decodeUtf8(data, 0, data.length, "serpent");
  } catch (error) {
    throw new PyroError(
      "serialize",
      "invalid serpent data: not valid UTF-8; the sender must encode serpent text as UTF-8",
      { cause: error },
    );
  }
  const nul = text.indexOf("\0");
  if (nul !== -1) new Parser(text, registry).fail("a NUL character (corrupted data?)", nul);
  try {
    return new Parser(text, registry).document();
  } catch (error) {
    if (error instanceof PyroError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new PyroError("serialize", `invalid serpent data: ${reason}`, { cause: error });
  }
}

/**
 * The text of a document that is one long str literal in `'` or `"` after its header line
 * (what serpent makes of a large text), when its escapes are all simple ones; else
 * `undefined`, and the parser reads the document.
 */
export function loneLongString(data: Uint8Array): string | undefined {
  const start = data[0] === 0x23 ? data.indexOf(0x0a) + 1 : 0;
  const quote = data[start];
  const end = data.length - 1;
  if (quote !== 0x27 && quote !== 0x22) return undefined;
  // Not a triple-quoted literal, nor one with text after its closing quote.
  if (data[start + 1] === quote || data[end] !== quote || end <= start) return undefined;
  const table = quote === 0x27 ? UNESCAPES_IN_SINGLE : UNESCAPES_IN_DOUBLE;
  return unescapedText(data.subarray(start + 1, end), start + 1, table, "serpent");
}

class Parser {
  readonly src: string;
  readonly registry: ClassRegistry;
  pos = 0;
  /** The kind (OTHER, INT, …) of the expression parsed last. */
  kind = OTHER;
  /** Scratch stack of dict keys and values, shared by all nesting levels. */
  readonly entries: unknown[] = [];
  /** Cached positions of the next `\\`, `\n` and `\r` at or after some point (see plainEnd). */
  nextBackslash = -1;
  nextLineFeed = -1;
  nextReturn = -1;

  constructor(src: string, registry: ClassRegistry) {
    this.src = src;
    this.registry = registry;
  }

  fail(what: string, at: number = this.pos): never {
    const offset = Buffer.byteLength(this.src.slice(0, at));
    throw new PyroError("serialize", `invalid serpent data: ${what} at offset ${offset}`);
  }

  document(): unknown {
    this.skip();
    if (this.pos >= this.src.length) this.fail("no value (empty document)");
    const value = this.expr(0);
    this.skip();
    if (this.pos < this.src.length) this.fail("unexpected text after the value");
    return value;
  }

  /** Skip whitespace, comments and backslash-newline continuations. */
  skip(): void {
    const c = this.src.charCodeAt(this.pos);
    if (c > 32 && c !== 35 && c !== 92) return;
    this.skipSlow();
  }

  skipSlow(): void {
    const s = this.src;
    let i = this.pos;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9 || c === 12) {
        i++;
      } else if (c === 35) {
        i++;
        while (i < s.length && s.charCodeAt(i) !== 10 && s.charCodeAt(i) !== 13) i++;
      } else if (c === 92 && s.charCodeAt(i + 1) === 10) {
        i += 2;
      } else if (c === 92 && s.charCodeAt(i + 1) === 13) {
        i += s.charCodeAt(i + 2) === 10 ? 3 : 2;
      } else {
        break;
      }
    }
    this.pos = i;
  }

  /** A value, including `real ± imaginary` sums. */
  expr(depth: number): unknown {
    const value = this.primary(depth);
    const kind = this.kind;
    if (kind === INT || kind === FLOAT || kind === SIGNED_INT || kind === SIGNED_FLOAT) {
      const c = this.src.charCodeAt(this.pos);
      // Fast exit on the delimiters that usually follow a number.
      if (c === 44 || c === 93 || c === 125 || c === 41 || c === 58) return value;
      return this.sum(value as number | bigint, depth);
    }
    return value;
  }

  primary(depth: number): unknown {
    this.skip();
    const c = this.src.charCodeAt(this.pos);
    if (c === 39 || c === 34) return this.strings(false, false, this.pos);
    if ((c >= 48 && c <= 57) || c === 46) return this.number();
    switch (c) {
      case 91:
        return this.list(depth + 1);
      case 40:
        return this.paren(depth + 1);
      case 123:
        return this.brace(depth + 1);
      case 45:
      case 43:
        return this.signed(depth + 1);
    }
    return this.word();
  }

  enter(depth: number): void {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
  }

  signed(depth: number): unknown {
    this.enter(depth);
    const at = this.pos;
    const negative = this.src.charCodeAt(this.pos++) === 45;
    const value = this.primary(depth);
    switch (this.kind) {
      case INT:
        this.kind = SIGNED_INT;
        if (!negative || value === 0) return value;
        return typeof value === "bigint" ? -value : -(value as number);
      case FLOAT:
        this.kind = SIGNED_FLOAT;
        return negative ? -(value as number) : value;
      case IMAG: {
        this.kind = SIGNED_IMAG;
        const c = value as PyComplex;
        return negative ? new PyComplex(-c.real, -c.imag) : c;
      }
    }
    return this.fail("a sign must be followed by a number", at);
  }

  /** After a (signed) real number: an optional `+ imaginary` or `- imaginary`. */
  sum(left: number | bigint, depth: number): unknown {
    this.skip();
    const op = this.src.charCodeAt(this.pos);
    if (op !== 43 && op !== 45) return left;
    const at = this.pos++;
    const right = this.primary(depth);
    const kind = this.kind;
    if (kind !== IMAG && kind !== SIGNED_IMAG) {
      this.fail("only 'real + imaginary' sums are literals", at);
    }
    const real = Number(left);
    if (typeof left === "bigint" && !Number.isFinite(real)) {
      this.fail("int too large to convert to float", at);
    }
    const imag = (right as PyComplex).imag;
    this.kind = SUM;
    // Python's arithmetic for `a + bj`; serpent's `a+-bj` (not Python) keeps the literal's signs.
    if (kind === IMAG) {
      return op === 43 ? new PyComplex(real + 0, 0 + imag) : new PyComplex(real - 0, 0 - imag);
    }
    return new PyComplex(real, op === 43 ? imag : -imag);
  }

  number(): unknown {
    const s = this.src;
    const start = this.pos;
    let i = start;
    let c = s.charCodeAt(i);
    let value = 0;
    while (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      c = s.charCodeAt(++i);
    }
    const intDigits = i - start;
    if (c === 46) {
      // Fast path: a float of at most 15 digits without exponent is digits / 10^k, and
      // both are exact doubles, so one division rounds correctly (as Python does).
      const fraction = ++i;
      c = s.charCodeAt(i);
      while (c >= 48 && c <= 57) {
        value = value * 10 + (c - 48);
        c = s.charCodeAt(++i);
      }
      const digits = intDigits + i - fraction;
      if (digits > 0 && digits <= 15 && !isNumberTail(c)) {
        this.pos = i;
        this.kind = FLOAT;
        return value / (POWERS_OF_TEN[i - fraction] as number);
      }
      return this.numberSlow(start);
    }
    // Fast path: a plain decimal int, followed by a delimiter.
    if (intDigits > 0 && !isNumberTail(c)) {
      const digits = i - start;
      if (digits > 1 && s.charCodeAt(start) === 48 && value !== 0) {
        this.fail("leading zeros in an int are not allowed (use 0o for octal)", start);
      }
      this.pos = i;
      this.kind = INT;
      return digits <= 15 ? value : this.decimalInt(s.slice(start, i), start);
    }
    return this.numberSlow(start);
  }

  /** Every other number form: underscores, radix prefixes, floats, imaginaries. */
  numberSlow(start: number): unknown {
    const s = this.src;
    const c0 = s.charCodeAt(start);
    const prefix = s.charCodeAt(start + 1) | 32;
    if (c0 === 48 && (prefix === 120 || prefix === 111 || prefix === 98)) {
      return this.radixInt(start, prefix === 120 ? 16 : prefix === 111 ? 8 : 2);
    }
    let i = this.digitPart(start);
    const intEnd = i;
    let isFloat = false;
    if (s.charCodeAt(i) === 46) {
      isFloat = true;
      i = this.digitPart(i + 1);
      if (intEnd === start && i === start + 1) {
        return this.fail(
          s.startsWith("...", start) ? "Ellipsis has no TypeScript value" : "'.' without digits",
          start,
        );
      }
    }
    if ((s.charCodeAt(i) | 32) === 101) {
      isFloat = true;
      let j = i + 1;
      const sign = s.charCodeAt(j);
      if (sign === 43 || sign === 45) j++;
      const end = this.digitPart(j);
      if (end === j) this.fail("an exponent needs digits", i);
      i = end;
    }
    const imaginary = (s.charCodeAt(i) | 32) === 106;
    const textEnd = i;
    if (imaginary) i++;
    if (isNumberTail(s.charCodeAt(i))) this.fail("invalid number literal", start);
    this.pos = i;
    const raw = s.slice(start, textEnd);
    const text = raw.includes("_") ? raw.replaceAll("_", "") : raw;
    if (imaginary) {
      this.kind = IMAG;
      return new PyComplex(0, Number(text));
    }
    if (isFloat) {
      this.kind = FLOAT;
      return Number(text);
    }
    if (text.length > 1 && text.charCodeAt(0) === 48 && /[1-9]/.test(text)) {
      this.fail("leading zeros in an int are not allowed (use 0o for octal)", start);
    }
    this.kind = INT;
    return this.decimalInt(text, start);
  }

  /** Digits with single underscores between them, from `i`; returns the end (`i` if none). */
  digitPart(i: number): number {
    const s = this.src;
    let c = s.charCodeAt(i);
    if (!isDigit(c)) return i;
    for (;;) {
      c = s.charCodeAt(++i);
      if (c === 95) {
        const next = s.charCodeAt(i + 1);
        if (!isDigit(next)) this.fail("'_' in a number must sit between digits", i);
        i++;
      } else if (!isDigit(c)) {
        return i;
      }
    }
  }

  radixInt(start: number, radix: number): unknown {
    const s = this.src;
    let i = start + 2;
    let digits = "";
    for (;;) {
      let c = s.charCodeAt(i);
      const underscore = c === 95;
      if (underscore) c = s.charCodeAt(++i);
      const d = digitValue(c);
      if (d < 0 || d >= radix) {
        if (underscore || isNumberTail(c)) this.fail(`invalid digit in a base-${radix} int`, i);
        break;
      }
      digits += String.fromCharCode(c);
      i++;
    }
    if (digits === "") this.fail(`invalid base-${radix} int`, start);
    this.pos = i;
    this.kind = INT;
    const prefix = radix === 16 ? "0x" : radix === 8 ? "0o" : "0b";
    return intFromBigInt(BigInt(prefix + digits));
  }

  decimalInt(digits: string, at: number): number | bigint {
    if (digits.length > MAX_INT_DIGITS) {
      this.fail(`an int with more than ${MAX_INT_DIGITS} digits (Python refuses those too)`, at);
    }
    return intFromBigInt(BigInt(digits));
  }

  list(depth: number): unknown[] {
    this.enter(depth);
    this.pos++;
    const items: unknown[] = [];
    const s = this.src;
    for (;;) {
      this.skip();
      if (s.charCodeAt(this.pos) === 93) break;
      items.push(this.expr(depth));
      this.skip();
      const c = s.charCodeAt(this.pos);
      if (c === 44) {
        this.pos++;
      } else if (c === 93) {
        break;
      } else {
        this.fail("expected ',' or ']' in a list");
      }
    }
    this.pos++;
    this.kind = OTHER;
    return items;
  }

  /** `()`, a grouping `(x)`, or a tuple `(x,)`, `(x, y)`. */
  paren(depth: number): unknown {
    this.enter(depth);
    this.pos++;
    this.skip();
    const s = this.src;
    if (s.charCodeAt(this.pos) === 41) {
      this.pos++;
      this.kind = OTHER;
      return [];
    }
    const first = this.expr(depth);
    const firstKind = this.kind;
    this.skip();
    let c = s.charCodeAt(this.pos);
    if (c === 41) {
      this.pos++;
      this.kind = firstKind;
      return first;
    }
    if (c !== 44) this.fail("expected ',' or ')' in a tuple");
    const items = [first];
    for (;;) {
      this.pos++;
      this.skip();
      if (s.charCodeAt(this.pos) === 41) break;
      items.push(this.expr(depth));
      this.skip();
      c = s.charCodeAt(this.pos);
      if (c === 41) break;
      if (c !== 44) this.fail("expected ',' or ')' in a tuple");
    }
    this.pos++;
    this.kind = OTHER;
    return items;
  }

  /** `{}`, a dict or a set. */
  brace(depth: number): unknown {
    this.enter(depth);
    this.pos++;
    this.skip();
    const s = this.src;
    if (s.charCodeAt(this.pos) === 125) {
      this.pos++;
      this.kind = OTHER;
      return {};
    }
    const first = this.expr(depth);
    this.skip();
    if (s.charCodeAt(this.pos) === 58) return this.dict(first, depth);
    const set = new Set<unknown>([first]);
    for (;;) {
      const c = s.charCodeAt(this.pos);
      if (c === 125) break;
      if (c !== 44) this.fail("expected ',' or '}' in a set");
      this.pos++;
      this.skip();
      if (s.charCodeAt(this.pos) === 125) break;
      set.add(this.expr(depth));
      this.skip();
    }
    this.pos++;
    this.kind = OTHER;
    return set;
  }

  /** The rest of a dict whose first key is parsed; `pos` is at its ':'. */
  dict(firstKey: unknown, depth: number): unknown {
    const s = this.src;
    const entries = this.entries;
    const base = entries.length;
    let key = firstKey;
    let strKeys = true;
    for (;;) {
      this.pos++;
      const value = this.expr(depth);
      if (typeof key !== "string") strKeys = false;
      entries.push(key, value);
      this.skip();
      const c = s.charCodeAt(this.pos);
      if (c === 125) break;
      if (c !== 44) this.fail("expected ',' or '}' in a dict");
      this.pos++;
      this.skip();
      if (s.charCodeAt(this.pos) === 125) break;
      key = this.expr(depth);
      this.skip();
      if (s.charCodeAt(this.pos) !== 58) this.fail("expected ':' after a dict key");
    }
    this.pos++;
    this.kind = OTHER;
    const end = entries.length;
    if (!strKeys) {
      const map = new Map<unknown, unknown>();
      for (let i = base; i < end; i += 2) map.set(entries[i], entries[i + 1]);
      entries.length = base;
      return map;
    }
    const dict: Record<string, unknown> = {};
    let hasClass = false;
    for (let i = base; i < end; i += 2) {
      const name = entries[i] as string;
      if (name === "__class__") hasClass = true;
      setDictEntry(dict, name, entries[i + 1]);
    }
    entries.length = base;
    if (end - base === 4) {
      const bytes = bytesFromDict(dict);
      if (bytes !== undefined) return bytes;
    }
    return hasClass && typeof dict["__class__"] === "string" ? this.revive(dict) : dict;
  }

  revive(dict: Record<string, unknown>): unknown {
    try {
      return this.registry.revive(dict);
    } catch (error) {
      if (error instanceof PyroError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new PyroError(
        "serialize",
        `reviving class ${String(dict["__class__"])} failed: ${reason}; check its registerDictToClass hook`,
        { cause: error },
      );
    }
  }

  /** None/True/False, `set()`, or the prefix of a string literal. */
  word(): unknown {
    const s = this.src;
    const start = this.pos;
    let i = start;
    while (isNameChar(s.charCodeAt(i))) i++;
    if (start >= s.length) this.fail("unexpected end of data");
    if (i === start) this.fail(`unexpected character ${JSON.stringify(s.charAt(start))}`);
    const name = s.slice(start, i);
    const quote = s.charCodeAt(i);
    if (quote === 39 || quote === 34) {
      const prefix = name.toLowerCase();
      const flags = STRING_PREFIXES.get(prefix);
      if (flags === undefined) this.fail(`'${name}' is not a string prefix`, start);
      this.pos = i;
      return this.strings(flags.raw, flags.bytes, start);
    }
    this.pos = i;
    this.kind = OTHER;
    switch (name) {
      case "None":
        return null;
      case "True":
        return true;
      case "False":
        return false;
      case "set":
        this.skip();
        if (s.charCodeAt(this.pos) === 40) {
          this.pos++;
          this.skip();
          if (s.charCodeAt(this.pos) === 41) {
            this.pos++;
            return new Set();
          }
        }
        break;
    }
    return this.fail(`'${name}' is not a literal`, start);
  }

  /** One string literal plus any adjacent ones (`'a' 'b'` is `'ab'`). */
  strings(raw: boolean, bytes: boolean, start: number): string | Uint8Array {
    let text = this.literal(raw, bytes, start);
    const s = this.src;
    for (;;) {
      const c = s.charCodeAt(this.pos);
      // Fast exit on the delimiters that usually follow.
      if (c === 44 || c === 58 || c === 93 || c === 125 || c === 41) break;
      const save = this.pos;
      this.skip();
      const next = this.pos;
      let j = next;
      while (j < next + 2 && isNameChar(s.charCodeAt(j))) j++;
      const quote = s.charCodeAt(j);
      const flags = STRING_PREFIXES.get(s.slice(next, j).toLowerCase());
      if ((quote !== 39 && quote !== 34) || flags === undefined) {
        this.pos = save;
        break;
      }
      if (flags.bytes !== bytes) this.fail("cannot mix bytes and str literals", next);
      this.pos = j;
      text += this.literal(flags.raw, bytes, next);
    }
    this.kind = OTHER;
    return bytes ? latin1Bytes(text) : text;
  }

  /** One literal; `pos` is at its opening quote, `start` at its prefix (for bytes checks). */
  literal(raw: boolean, bytes: boolean, start: number): string {
    const s = this.src;
    const quote = s.charCodeAt(this.pos);
    let i = this.pos + 1;
    const triple = s.charCodeAt(i) === quote && s.charCodeAt(i + 1) === quote;
    if (triple) i += 2;
    const bodyStart = i;
    if (!triple && !bytes) {
      // Fast path: no escapes, no newline; long strings are left to indexOf.
      const limit = i + 32;
      for (;;) {
        const c = s.charCodeAt(i);
        if (c === quote) {
          this.pos = i + 1;
          return s.slice(bodyStart, i);
        }
        if (c === 92 || c === 10 || c === 13 || c !== c) break;
        if (++i === limit) {
          const end = this.plainEnd(i, quote);
          if (end < 0) break;
          this.pos = end + 1;
          return s.slice(bodyStart, end);
        }
      }
    }
    const text =
      triple || raw
        ? this.literalSlow(bodyStart, quote, triple, raw, bytes)
        : this.escapedLiteral(bodyStart, quote, bytes);
    if (bytes) {
      for (let k = start; k < this.pos; k++) {
        if (s.charCodeAt(k) > 127) this.fail("bytes literals can only contain ASCII characters", k);
      }
    }
    return text;
  }

  /**
   * The closing quote of a plain single-quoted string whose body continues at `i`, found
   * with native `indexOf`, or -1 if a backslash or newline comes first. The next backslash
   * and newlines are cached so that a document is searched for each of them only once.
   */
  plainEnd(i: number, quote: number): number {
    const s = this.src;
    const end = s.indexOf(quote === 39 ? "'" : '"', i);
    if (end < 0) return -1;
    if (this.nextBackslash < i) this.nextBackslash = nextIndex(s, "\\", i);
    if (this.nextLineFeed < i) this.nextLineFeed = nextIndex(s, "\n", i);
    if (this.nextReturn < i) this.nextReturn = nextIndex(s, "\r", i);
    return this.nextBackslash < end || this.nextLineFeed < end || this.nextReturn < end ? -1 : end;
  }

  /**
   * The rest of a single-quoted, non-raw literal from `bodyStart`: the plain runs between
   * its escapes are found with native `indexOf` (the cached next backslash and newlines, and
   * the closing quote), not a character at a time, which matters for long multi-line text.
   */
  escapedLiteral(bodyStart: number, quote: number, bytes: boolean): string {
    const s = this.src;
    const quoteChar = quote === 39 ? "'" : '"';
    let nextQuote = -1;
    let out = "";
    let chunk = bodyStart;
    for (;;) {
      if (nextQuote < chunk) nextQuote = nextIndex(s, quoteChar, chunk);
      if (this.nextBackslash < chunk) this.nextBackslash = nextIndex(s, "\\", chunk);
      if (this.nextLineFeed < chunk) this.nextLineFeed = nextIndex(s, "\n", chunk);
      if (this.nextReturn < chunk) this.nextReturn = nextIndex(s, "\r", chunk);
      const stop = Math.min(nextQuote, this.nextBackslash, this.nextLineFeed, this.nextReturn);
      if (stop === s.length) this.fail("unterminated string literal", bodyStart - 1);
      if (stop === nextQuote) {
        this.pos = stop + 1;
        return out + s.slice(chunk, stop);
      }
      if (stop !== this.nextBackslash) {
        this.fail("unterminated string literal (newline inside quotes)", stop);
      }
      const escape = this.escape(stop, bytes);
      out += s.slice(chunk, stop) + escape.text;
      chunk = escape.end;
    }
  }

  /** The rest of a triple-quoted or raw literal from `bodyStart`, a character at a time. */
  literalSlow(
    bodyStart: number,
    quote: number,
    triple: boolean,
    raw: boolean,
    bytes: boolean,
  ): string {
    const s = this.src;
    const length = s.length;
    let out = "";
    let chunk = bodyStart;
    let i = bodyStart;
    for (;;) {
      if (i >= length) this.fail("unterminated string literal", bodyStart - (triple ? 3 : 1));
      const c = s.charCodeAt(i);
      if (c === quote) {
        if (!triple || (s.charCodeAt(i + 1) === quote && s.charCodeAt(i + 2) === quote)) {
          this.pos = i + (triple ? 3 : 1);
          return out + s.slice(chunk, i);
        }
        i++;
      } else if (c === 10 || c === 13) {
        if (!triple) this.fail("unterminated string literal (newline inside quotes)", i);
        if (c === 13) {
          // Python reads source with universal newlines.
          out += s.slice(chunk, i) + "\n";
          i += s.charCodeAt(i + 1) === 10 ? 2 : 1;
          chunk = i;
        } else {
          i++;
        }
      } else if (c !== 92) {
        i++;
      } else if (raw) {
        const next = s.charCodeAt(i + 1);
        if (next === 13) {
          out += s.slice(chunk, i) + "\\\n";
          i += s.charCodeAt(i + 2) === 10 ? 3 : 2;
          chunk = i;
        } else {
          // A backslash keeps the next character (even a quote) inside a raw string.
          i += next === quote || next === 92 || next === 10 ? 2 : 1;
        }
      } else {
        out += s.slice(chunk, i);
        const escape = this.escape(i, bytes);
        out += escape.text;
        i = escape.end;
        chunk = i;
      }
    }
  }

  /** Decode the escape at `i` (a backslash). */
  escape(i: number, bytes: boolean): { text: string; end: number } {
    const s = this.src;
    const c = s.charCodeAt(i + 1);
    const simple = SIMPLE_ESCAPES[c];
    if (simple !== undefined) return { text: simple, end: i + 2 };
    if (c === 10) return { text: "", end: i + 2 };
    if (c === 13) return { text: "", end: s.charCodeAt(i + 2) === 10 ? i + 3 : i + 2 };
    if (c >= 48 && c <= 55) {
      let value = c - 48;
      let j = i + 2;
      while (j < i + 4 && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 55) {
        value = value * 8 + s.charCodeAt(j) - 48;
        j++;
      }
      return { text: String.fromCharCode(bytes ? value & 0xff : value), end: j };
    }
    if (c === 120) return { text: String.fromCharCode(this.hexDigits(i, 2, "\\xXX")), end: i + 4 };
    if (!bytes) {
      if (c === 117)
        return { text: String.fromCharCode(this.hexDigits(i, 4, "\\uXXXX")), end: i + 6 };
      if (c === 85) {
        const code = this.hexDigits(i, 8, "\\UXXXXXXXX");
        if (code > 0x10ffff) this.fail("illegal Unicode character in a \\U escape", i);
        return { text: String.fromCodePoint(code), end: i + 10 };
      }
      if (c === 78) this.fail("\\N{name} escapes are not supported; send the character itself", i);
    }
    if (c !== c) this.fail("unterminated string literal", i);
    // Unknown escapes keep their backslash, as in Python.
    return { text: "\\", end: i + 1 };
  }

  hexDigits(i: number, count: number, form: string): number {
    let value = 0;
    for (let j = i + 2; j < i + 2 + count; j++) {
      const d = digitValue(this.src.charCodeAt(j));
      if (d < 0 || d > 15) this.fail(`truncated ${form} escape`, i);
      value = value * 16 + d;
    }
    return value;
  }
}

const SIMPLE_ESCAPES: Readonly<Record<number, string>> = {
  92: "\\",
  39: "'",
  34: '"',
  97: "\x07",
  98: "\b",
  102: "\f",
  110: "\n",
  114: "\r",
  116: "\t",
  118: "\v",
};

/** The simple escapes, for a long literal read alone, in `'` and in `"`. */
const SIMPLE_ESCAPE_PAIRS = Object.entries(SIMPLE_ESCAPES).map(
  ([code, text]) => [Number(code), text] as const,
);
const UNESCAPES_IN_SINGLE = simpleEscapes(0x27, SIMPLE_ESCAPE_PAIRS);
const UNESCAPES_IN_DOUBLE = simpleEscapes(0x22, SIMPLE_ESCAPE_PAIRS);

const STRING_PREFIXES = new Map<string, { raw: boolean; bytes: boolean }>([
  ["", { raw: false, bytes: false }],
  ["u", { raw: false, bytes: false }],
  ["r", { raw: true, bytes: false }],
  ["b", { raw: false, bytes: true }],
  ["br", { raw: true, bytes: true }],
  ["rb", { raw: true, bytes: true }],
]);

/** The index of `char` at or after `from`, or the text's length if there is none. */
function nextIndex(text: string, char: string, from: number): number {
  const at = text.indexOf(char, from);
  return at < 0 ? text.length : at;
}

/** An ASCII digit (false for NaN, past the end). */
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Characters that may not directly follow a number (Python: "invalid decimal literal"). */
function isNumberTail(c: number): boolean {
  return isNameChar(c) || c === 46;
}

function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

/** The value of a hex digit, or -1. */
function digitValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const lower = c | 32;
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}

function latin1Bytes(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** serpent's bytes dict `{'data': <base64>, 'encoding': 'base64'}` → the bytes, else undefined. */
function bytesFromDict(dict: Record<string, unknown>): Uint8Array | undefined {
  const data = dict["data"];
  if (dict["encoding"] !== "base64" || typeof data !== "string" || data.length % 4 !== 0) {
    return undefined;
  }
  // Node's decoder skips characters outside the alphabet, so a short result (or the
  // URL-safe '-' and '_' it also accepts) means this is not Python's base64.
  const buffer = Buffer.from(data, "base64");
  const padding = data.endsWith("==") ? 2 : data.endsWith("=") ? 1 : 0;
  if (buffer.byteLength !== (data.length / 4) * 3 - padding) return undefined;
  if (data.includes("-") || data.includes("_")) return undefined;
  // Small Buffers share Node's pool; hand out a view of our own memory.
  return buffer.byteLength === buffer.buffer.byteLength
    ? new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)
    : new Uint8Array(buffer);
}
