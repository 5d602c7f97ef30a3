/**
 * The serpent encoder: values → Python literal text as UTF-8, the way Python's serpent
 * writes it (compact, no spaces; bytes as the base64 dict with Python's dict-repr spacing).
 *
 * Bytes are written straight into one growing buffer (printable ASCII strings, numbers and
 * punctuation byte by byte), so no intermediate strings pile up for the garbage collector.
 * Cycles cost no set lookups on the hot path: a cycle nests without end, so it is found when
 * the depth cap is hit and the ancestor path repeats an object.
 */
import { Buffer } from "node:buffer";
import { PyroError } from "../errors.js";
import { PyComplex, PyFloat, PyTuple } from "../values.js";
import type { ClassRegistry } from "./class-registry.js";
import { MAX_DEPTH } from "./serpent-parse.js";
import { keepScratch, lendScratch, takeScratch } from "./scratch.js";
import { SERPENT_ESCAPED, escapeInPlace, escapedLength, type EscapeTable } from "./plain-text.js";
import { DECIMAL_MAX_LENGTH, writeDecimal } from "./decimal.js";
import { escapesBeyondAscii, pyFloatRepr, pyStrRepr } from "./serpent-repr.js";

/** What serpent writes for a float NaN: Pyro turns this class dict back into NaN. */
const NAN_DICT = "{'__class__':'float','value':'nan'}";

const INITIAL_SIZE = 16 * 1024;

/**
 * How Python's repr escapes each ASCII byte it escapes in a str quoted with `'`, by value
 * (what follows DEL has none here: such text goes through repr).
 */
const SINGLE_QUOTED_TEXTS: readonly (string | undefined)[] = Array.from(
  { length: 0x80 },
  (_, byte) => {
    if (byte === 0x27 || byte === 0x5c) return `\\${String.fromCharCode(byte)}`;
    if (byte >= 0x20 && byte < 0x7f) return undefined;
    const short = ({ 0x09: "t", 0x0a: "n", 0x0d: "r" } as Record<number, string>)[byte];
    return short === undefined ? `\\x${byte.toString(16).padStart(2, "0")}` : `\\${short}`;
  },
);

/** A long ASCII str in `'`, escaped as repr escapes it. */
const SINGLE_QUOTED: EscapeTable = { ...SERPENT_ESCAPED, texts: SINGLE_QUOTED_TEXTS };

/** The same in `"`, which repr takes for text with `'` and no `"`: `'` then stands as it is. */
const DOUBLE_QUOTED: EscapeTable = { ...SERPENT_ESCAPED, quote: 0x22, texts: SINGLE_QUOTED_TEXTS };

/**
 * The two for UTF-8 text whose characters beyond ASCII repr writes as they are: bytes from
 * 0x80 on are copied. DEL is not escaped by these: text holding it goes through repr.
 */
const SINGLE_QUOTED_UTF8: EscapeTable = { ...SINGLE_QUOTED, top: 0xff };
const DOUBLE_QUOTED_UTF8: EscapeTable = { ...DOUBLE_QUOTED, top: 0xff };

const utf8Encoder = new TextEncoder();

/**
 * Writes serpent text. `value`, `tuple` and `ascii` may be combined freely (e.g. to build a
 * call tuple), then `finish()` returns a copy of the bytes, or `lend()` the bytes themselves.
 */
export class SerpentWriter {
  readonly #registry: ClassRegistry;
  #buf: Buffer;
  #pos = 0;
  /** The containers on the path from the root, indexed by depth (for cycle reports). */
  readonly #ancestors: unknown[] = [];
  /** False if someone added enumerable properties to Object.prototype. */
  readonly #cleanPrototype = !hasEnumerable(Object.prototype);

  constructor(registry: ClassRegistry) {
    this.#registry = registry;
    // Scratch kept from earlier encodes (scratch.ts), or a fresh one of its own.
    const scratch = takeScratch();
    this.#buf = scratch === undefined ? Buffer.allocUnsafeSlow(INITIAL_SIZE) : Buffer.from(scratch);
  }

  /**
   * The bytes written, not copied: lent scratch memory to pass to `giveBack` (scratch.ts)
   * once nothing reads it. The writer must not be used afterwards.
   */
  lend(): Uint8Array {
    return lendScratch(this.#buf.buffer as ArrayBuffer, this.#pos);
  }

  /** A copy of the bytes written; the writer must not be used afterwards. */
  finish(): Uint8Array {
    const buf = this.#buf;
    const length = this.#pos;
    // An unpooled, unzeroed copy that owns its exact-size memory.
    const out = Buffer.allocUnsafeSlow(length);
    buf.copy(out, 0, 0, length);
    keepScratch(buf.buffer as ArrayBuffer);
    return new Uint8Array(out.buffer, 0, length);
  }

  /** Give the buffer back after a failure. */
  abandon(): void {
    keepScratch(this.#buf.buffer as ArrayBuffer);
  }

  /** Room for `extra` more bytes, keeping what is written up to `written` (ahead or not). */
  #grow(extra: number, written = this.#pos): void {
    const old = this.#buf;
    // Unpooled: the buffer must own its memory to be kept as scratch afterwards.
    const next = Buffer.allocUnsafeSlow(Math.max(old.length * 2, this.#pos + extra));
    old.copy(next, 0, 0, written);
    this.#buf = next;
  }

  /** Text known to be ASCII (numbers, punctuation, base64). */
  ascii(text: string): void {
    const n = text.length;
    if (this.#pos + n > this.#buf.length) this.#grow(n);
    const buf = this.#buf;
    if (n > 64) {
      this.#pos += buf.write(text, this.#pos, "latin1");
      return;
    }
    let p = this.#pos;
    for (let i = 0; i < n; i++) buf[p++] = text.charCodeAt(i);
    this.#pos = p;
  }

  #byte(c: number): void {
    if (this.#pos >= this.#buf.length) this.#grow(1);
    this.#buf[this.#pos++] = c;
  }

  /** A str literal: printable ASCII is copied byte by byte, anything else goes through repr. */
  str(s: string): void {
    const n = s.length;
    if (n > 64) return this.#longStr(s);
    if (this.#pos + n + 2 > this.#buf.length) this.#grow(n + 2);
    const buf = this.#buf;
    let p = this.#pos;
    buf[p++] = 39;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === 0x27 || c === 0x5c) {
        this.#utf8(pyStrRepr(s));
        return;
      }
      buf[p++] = c;
    }
    buf[p++] = 39;
    this.#pos = p;
  }

  /**
   * A long str: its UTF-8 written, then escaped in place as Python's repr escapes it. With
   * room for one byte a character, the encoder reads all of the text only when it is ASCII.
   * Other text is written whole when repr writes every character beyond ASCII as it is (a
   * check of the text, see `escapesBeyondAscii`), and goes through repr otherwise.
   */
  #longStr(s: string): void {
    const n = s.length;
    if (this.#pos + n + 2 > this.#buf.length) this.#grow(n + 2);
    const start = this.#pos + 1;
    const first = utf8Encoder.encodeInto(s, this.#buf.subarray(start, start + n));
    if (first.read === n) {
      this.#escapeText(start, n, SINGLE_QUOTED, DOUBLE_QUOTED);
      return;
    }
    if (escapesBeyondAscii(s)) {
      this.#utf8(pyStrRepr(s));
      return;
    }
    // At most three bytes for each character left (encodeInto never splits a pair).
    const at = start + first.written;
    const rest = s.slice(first.read);
    const room = at + 3 * rest.length + 1;
    if (room > this.#buf.length) this.#grow(room - this.#pos, at);
    const length = first.written + utf8Encoder.encodeInto(rest, this.#buf.subarray(at)).written;
    this.#escapeText(start, length, SINGLE_QUOTED_UTF8, DOUBLE_QUOTED_UTF8);
  }

  /**
   * Escape and quote the `length` bytes of text at `start` in place, as repr does: in `"`
   * when the text holds `'` but no `"`, else in `'` (each table escapes its quote).
   */
  #escapeText(start: number, length: number, single: EscapeTable, double: EscapeTable): void {
    const text = this.#buf.subarray(start, start + length);
    const table = text.indexOf(0x27) >= 0 && text.indexOf(0x22) < 0 ? double : single;
    const escaped = escapedLength(text, table);
    // Never: the tables have a text for every byte they flag in the text given them.
    if (escaped < 0) throw new Error("serpent: an escape table has no text for a byte");
    if (start + escaped + 1 > this.#buf.length) this.#grow(escaped + 2, start + length);
    this.#pos = escapeInPlace(this.#buf, start, length, escaped, table);
  }

  #utf8(text: string): void {
    const most = text.length * 3;
    if (this.#pos + most > this.#buf.length) this.#grow(most);
    this.#pos += this.#buf.write(text, this.#pos, "utf8");
  }

  /** Any value of the mapping. */
  value(v: unknown, depth: number): void {
    switch (typeof v) {
      case "string":
        return this.str(v);
      case "number":
        return this.#number(v);
      case "boolean":
        return this.ascii(v ? "True" : "False");
      case "bigint":
        return this.ascii(v.toString());
      case "undefined":
        return this.ascii("None");
      case "object":
        return v === null ? this.ascii("None") : this.#object(v, depth + 1, false);
    }
    throw new PyroError(
      "serialize",
      `cannot serialize a ${typeof v} with serpent; send data (numbers, strings, arrays, objects)`,
    );
  }

  /** A container item: strings and small ints without the recursive `value` call. */
  #item(v: unknown, depth: number): void {
    if (typeof v === "string") this.str(v);
    else if (typeof v === "number" && (v | 0) === v && v !== 0) this.#decimal(v);
    else if (Array.isArray(v)) this.#nestedList(v, depth + 1);
    else this.value(v, depth);
  }

  #nestedList(items: readonly unknown[], depth: number): void {
    if (depth > MAX_DEPTH) this.#tooDeep(items, depth);
    this.#ancestors[depth] = items;
    this.#list(items, depth);
  }

  /** An integral number is an int, any other a float; -0 is the float -0.0. */
  #number(n: number): void {
    if ((n | 0) === n && n !== 0) return this.#decimal(n);
    if (Number.isInteger(n)) {
      if (n === 0) return this.ascii(Object.is(n, -0) ? "-0.0" : "0");
      return Number.isSafeInteger(n) ? this.#decimal(n) : this.ascii(BigInt(n).toString());
    }
    this.#float(n);
  }

  /** A safe integer, digit by digit (`decimal.ts`). */
  #decimal(n: number): void {
    if (this.#pos + DECIMAL_MAX_LENGTH > this.#buf.length) this.#grow(DECIMAL_MAX_LENGTH);
    this.#pos = writeDecimal(this.#buf, this.#pos, n);
  }

  /** A Python float, including the NaN dict and the ±1e30000 infinities. */
  #float(x: number): void {
    if (x !== x) return this.ascii(NAN_DICT);
    if (x === Infinity) return this.ascii("1e30000");
    if (x === -Infinity) return this.ascii("-1e30000");
    if (!this.#shortFloat(x)) this.ascii(pyFloatRepr(x));
  }

  /**
   * Fast path for floats below 1e9 with at most 4 decimals (halves, prices, measurements):
   * `m / 10^k === x` proves the k-decimal text reads back as x, the smallest such k makes it
   * the shortest text (Python's repr), and below 1e9 doubles lie far closer together than
   * 10^-4, so no other k-decimal text reads back as x. Returns false to use the general path.
   */
  #shortFloat(x: number): boolean {
    const a = x < 0 ? -x : x;
    if (!(a >= 1e-4 && a < 1e9)) return false;
    for (let k = 1; k <= 4; k++) {
      const scale = SCALES[k] as number;
      const m = Math.round(a * scale);
      if (m / scale !== a) continue;
      // `| 0` keeps #decimal on integer arithmetic (a double there makes `%` a slow fmod).
      const whole = Math.floor(a) | 0;
      let fraction = m - whole * scale;
      if (fraction === 0) return false;
      if (x < 0) this.#byte(45);
      this.#decimal(whole);
      if (this.#pos + k + 1 > this.#buf.length) this.#grow(k + 1);
      const buf = this.#buf;
      const p = this.#pos;
      buf[p] = 46;
      for (let j = k; j > 0; j--) {
        buf[p + j] = 48 + (fraction % 10);
        fraction = (fraction / 10) | 0;
      }
      this.#pos = p + k + 1;
      return true;
    }
    return false;
  }

  /** A dict key or set element: arrays become tuples, unhashable values are refused. */
  #key(v: unknown, depth: number): void {
    if (typeof v === "number" && v !== v) {
      throw new PyroError("serialize", "NaN cannot be a dict key or set element in serpent");
    }
    if (typeof v === "object" && v !== null) return this.#object(v, depth + 1, true);
    this.value(v, depth);
  }

  #object(v: object, depth: number, asKey: boolean): void {
    if (depth > MAX_DEPTH) this.#tooDeep(v, depth);
    this.#ancestors[depth] = v;
    if (Array.isArray(v)) return asKey ? this.tuple(v, depth, true) : this.#list(v, depth);
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto === Object.prototype || proto === null) {
      if (asKey) unhashable("a dict");
      return this.#dict(v as Record<string, unknown>, depth);
    }
    if (v instanceof Uint8Array) {
      if (asKey) unhashable("bytes");
      const base64 = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64");
      return this.ascii("{'data': '" + base64 + "', 'encoding': 'base64'}");
    }
    if (v instanceof PyTuple) return this.tuple(v.items, depth, asKey);
    if (v instanceof PyFloat) return this.#float(v.value);
    if (v instanceof PyComplex) return this.#complex(v);
    if (v instanceof Set) {
      if (asKey) unhashable("a Set");
      return this.#set(v, depth);
    }
    if (v instanceof Map) {
      if (asKey) unhashable("a Map");
      return this.#map(v, depth);
    }
    const replacement = this.#registry.toSerializable(v, "serpent");
    return asKey ? this.#key(replacement, depth) : this.value(replacement, depth);
  }

  #list(items: readonly unknown[], depth: number): void {
    this.#byte(91);
    const n = items.length;
    for (let i = 0; i < n; i++) {
      if (i > 0) this.#byte(44);
      this.#item(items[i], depth);
    }
    this.#byte(93);
  }

  /** A tuple: `()`, `(x,)`, `(x,y)`. */
  tuple(items: readonly unknown[], depth: number, asKey = false): void {
    this.#byte(40);
    const n = items.length;
    for (let i = 0; i < n; i++) {
      if (i > 0) this.#byte(44);
      if (asKey) this.#key(items[i], depth);
      else this.value(items[i], depth);
    }
    if (n === 1) this.#byte(44);
    this.#byte(41);
  }

  #dict(dict: Record<string, unknown>, depth: number): void {
    this.#byte(123);
    let first = true;
    if (this.#cleanPrototype) {
      // for-in is much faster than Object.keys on small objects, and yields the same keys
      // while Object.prototype has no enumerable properties.
      for (const key in dict) {
        if (!first) this.#byte(44);
        first = false;
        this.str(key);
        this.#byte(58);
        this.#item(dict[key], depth);
      }
    } else {
      for (const key of Object.keys(dict)) {
        if (!first) this.#byte(44);
        first = false;
        this.str(key);
        this.#byte(58);
        this.value(dict[key], depth);
      }
    }
    this.#byte(125);
  }

  #map(map: ReadonlyMap<unknown, unknown>, depth: number): void {
    this.#byte(123);
    let first = true;
    for (const [key, value] of map) {
      if (!first) this.#byte(44);
      first = false;
      this.#key(key, depth);
      this.#byte(58);
      this.value(value, depth);
    }
    this.#byte(125);
  }

  /** A set; Python has no empty-set literal, so serpent writes `()` for it. */
  #set(set: ReadonlySet<unknown>, depth: number): void {
    if (set.size === 0) return this.ascii("()");
    this.#byte(123);
    let first = true;
    for (const item of set) {
      if (!first) this.#byte(44);
      first = false;
      this.#key(item, depth);
    }
    this.#byte(125);
  }

  /**
   * A complex as `(real±imag j)`. serpent's own `+-0.0j` for a negative-zero imaginary part
   * is not a Python literal, so it is written as `-0.0j` (Python then reads +0.0).
   */
  #complex(c: PyComplex): void {
    const { real, imag } = c;
    if (real !== real || imag !== imag) {
      throw new PyroError(
        "serialize",
        "a complex with a NaN part has no serpent literal; send its parts as two floats",
      );
    }
    const negative = imag < 0 || Object.is(imag, -0);
    this.#byte(40);
    this.#float(real);
    this.#byte(negative ? 45 : 43);
    this.#float(negative ? -imag : imag);
    this.ascii("j)");
  }

  #tooDeep(v: object, depth: number): never {
    const path = this.#ancestors.slice(1, depth);
    if (path.includes(v) || new Set(path).size < path.length) {
      throw new PyroError(
        "serialize",
        "circular reference: the value contains itself; serpent can only send trees of values",
      );
    }
    throw new PyroError(
      "serialize",
      `nesting deeper than ${MAX_DEPTH} levels; flatten the value before sending it`,
    );
  }
}

function hasEnumerable(target: object): boolean {
  for (const _key in target) return true;
  return false;
}

/** 10^0 … 10^4. */
const SCALES = [1, 10, 100, 1000, 10000];

function unhashable(what: string): never {
  throw new PyroError(
    "serialize",
    `${what} cannot be a dict key or set element (Python needs a hashable key); ` +
      "use a string, number, boolean, null or an array/tuple of those",
  );
}
