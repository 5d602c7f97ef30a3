/**
 * Which bytes of encoded text a text format must escape between its quotes, if any,
 * escaping them in place, and unescaping simple escapes: the json and serpent encoders'
 * paths for long strings, and their decoders' for a long string read alone. Internal.
 *
 * A regex over the text costs ~0.4 ns a character on Node 20, `JSON.parse` of a long string
 * about as much, and a loop over the bytes in JavaScript ~0.9 ns. Small WebAssembly routines
 * (text-scan.wat) compare 16 bytes at a time: they check 10 KiB in ~0.6 µs, its copy in
 * included, and escape text as fast as it has escapes to write. Where WebAssembly is
 * unavailable (`node --jitless`), loops in JavaScript answer alike, only slower.
 */
import { Buffer } from "node:buffer";
import { TEXT_SCAN_WASM } from "./text-scan.generated.js";

/** The bytes a format escapes in a string: controls (< 0x20), its quote, backslash, above `top`. */
export interface Escaped {
  readonly quote: number;
  readonly top: number;
}

/** How a format writes the bytes it escapes ({@link Escaped}) between its quotes. */
export interface EscapeTable extends Escaped {
  /**
   * The text each escaped byte becomes, by the byte's value (2 to 7 characters: an escape
   * always grows the text); none for a byte the format cannot write this way (the encoder
   * then takes its other path).
   */
  readonly texts: readonly (string | undefined)[];
}

/** A format's simple escapes: the byte that a backslash and the byte after it stand for. */
export interface UnescapeTable {
  /** The format's quote, which comes escaped inside a string. */
  readonly quote: number;
  /**
   * The byte each escape stands for (never 0), by the value of the byte after the backslash;
   * none for escapes that are not this simple (left to the format's parser).
   */
  readonly bytes: readonly (number | undefined)[];
}

/**
 * The unescape table for `quote` of the simple escapes in `escapes`: the byte after the
 * backslash (its value) and the one-character text it stands for.
 */
export function simpleEscapes(
  quote: number,
  escapes: Iterable<readonly [number, string]>,
): UnescapeTable {
  const bytes: number[] = [];
  for (const [escaped, text] of escapes) bytes[escaped] = text.charCodeAt(0);
  return { quote, bytes };
}

/** JSON (UTF-8, so any byte from 0x80 on is part of a character written as is). */
export const JSON_ESCAPED: Escaped = { quote: 0x22, top: 0xff };

/** serpent's single-quoted Python literal, copied as is only when printable ASCII. */
export const SERPENT_ESCAPED: Escaped = { quote: 0x27, top: 0x7e };

const BACKSLASH = 0x5c;

/** The span that flags only controls (besides quote and backslash): 0x80 on is UTF-8 text. */
const TEXT_SPAN = 0xff - 0x20;

/** Below this many bytes the JavaScript loop beats copying into WebAssembly memory. */
const WASM_MIN = 80;

/** Escape tables the routines can use at once, each 8 bytes a byte value (see text-scan.wat). */
const TABLES = 8;
const TABLE_SIZE = 256 * 8;
/** Where the input goes in the module's memory, after the tables, and how much at a time. */
const INPUT = TABLES * TABLE_SIZE;
const CHUNK = 32 * 1024;
/** Where escaped output goes: after the input and its 16 bytes of padding. */
const OUTPUT = INPUT + CHUNK + 64;
/** The longest escape text a table may hold (an entry's 8 bytes less its length byte). */
const MAX_TEXT = 7;

/** Whether `text` can stand for an escaped byte (see {@link EscapeTable.texts}). */
function usableText(text: string | undefined): text is string {
  return text !== undefined && text.length >= 2 && text.length <= MAX_TEXT;
}

/** The module's exports (text-scan.wat says what each does). */
interface Routines {
  readonly memory: Uint8Array;
  readonly scan: (p: number, end: number, quote: number, span: number) => number;
  readonly escapedSize: (
    p: number,
    end: number,
    quote: number,
    span: number,
    table: number,
  ) => number;
  readonly escape: Rewrite;
  readonly unescape: Rewrite;
  /** Where each table in use was written, by table. */
  readonly tables: Map<EscapeTable | UnescapeTable, number>;
}

/** A routine that writes its input rewritten through a table from `out` on; its end, or -1. */
type Rewrite = (
  p: number,
  end: number,
  quote: number,
  span: number,
  table: number,
  out: number,
) => number;

/** The part of the WebAssembly API used here (absent under `node --jitless`). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => {
    exports: { memory: { buffer: ArrayBuffer } } & Omit<Routines, "memory" | "tables">;
  };
}

/** Made on first use; `null` once WebAssembly turned out to be unavailable. */
let routines: Routines | null | undefined;

function loadRoutines(): Routines | null {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (wasm === undefined) return null;
  try {
    const module = new wasm.Module(Buffer.from(TEXT_SCAN_WASM, "base64"));
    const { memory, scan, escapedSize, escape, unescape } = new wasm.Instance(module).exports;
    const bytes = new Uint8Array(memory.buffer);
    if (bytes.length < OUTPUT + MAX_TEXT * CHUNK + 16) throw new Error("memory too small");
    return { memory: bytes, scan, escapedSize, escape, unescape, tables: new Map() };
  } catch {
    // A WebAssembly without SIMD: the loops do the same job.
    return null;
  }
}

/** The routines, when WebAssembly runs them in this process and `bytes` are long enough. */
function routinesFor(bytes: Uint8Array): Routines | null {
  return bytes.length >= WASM_MIN ? (routines ??= loadRoutines()) : null;
}

/** Whether the WebAssembly routines run in this process (for tests). */
export function scannerLoaded(): boolean {
  return (routines ??= loadRoutines()) !== null;
}

/** True when `bytes` hold none of the bytes `escaped` names. */
export function isPlain(bytes: Uint8Array, escaped: Escaped): boolean {
  const found = routinesFor(bytes);
  if (found === null) return loopPlain(bytes, escaped);
  const span = escaped.top - 0x20;
  for (let from = 0; from < bytes.length; from += CHUNK) {
    const end = loadChunk(found.memory, bytes, from);
    if (found.scan(INPUT, end, escaped.quote, span) < end) return false;
  }
  return true;
}

/** Copy `n` bytes of `bytes` from `from` on to the input, padded; where they end. */
function loadChunk(
  memory: Uint8Array,
  bytes: Uint8Array,
  from: number,
  n = Math.min(CHUNK, bytes.length - from),
): number {
  memory.set(n === bytes.length ? bytes : bytes.subarray(from, from + n), INPUT);
  memory.fill(0x20, INPUT + n, INPUT + n + 16);
  return INPUT + n;
}

/**
 * How many bytes `bytes` take escaped as `table` says (quotes not counted), or -1 when one
 * of them has no text in the table.
 */
export function escapedLength(bytes: Uint8Array, table: EscapeTable): number {
  const found = routinesFor(bytes);
  if (found === null) return loopEscapedLength(bytes, table);
  const at = tableAt(found, table, fillEscapes);
  const span = table.top - 0x20;
  let size = 0;
  for (let from = 0; from < bytes.length; from += CHUNK) {
    const end = loadChunk(found.memory, bytes, from);
    const chunk = found.escapedSize(INPUT, end, table.quote, span, at);
    if (chunk < 0) return -1;
    size += chunk;
  }
  return size;
}

/**
 * Escape and quote, in place, the `length` bytes at `start` of `bytes`, whose escaped length
 * {@link escapedLength} gave as `escaped`: they become `escaped` bytes from `start` on, with
 * `table.quote` before them (at `start - 1`) and after. Returns where the text ends, after
 * its closing quote. The caller makes the room: `start + escaped + 1` bytes.
 *
 * The text grows, so it is escaped from its end back: a chunk's output lands where no byte
 * still to be read lies, its own bytes having been copied into the module's memory first.
 */
export function escapeInPlace(
  bytes: Uint8Array,
  start: number,
  length: number,
  escaped: number,
  table: EscapeTable,
): number {
  // Every escape grows the text: when it does not grow, it is in place already.
  if (escaped > length) escapeFromEnd(bytes, start, length, escaped, table);
  bytes[start - 1] = table.quote;
  bytes[start + escaped] = table.quote;
  return start + escaped + 1;
}

/**
 * {@link escapeInPlace}'s escaping, without the quotes: by the routines a chunk at a time,
 * or where they do not run by a loop in JavaScript, byte by byte.
 */
function escapeFromEnd(
  bytes: Uint8Array,
  start: number,
  length: number,
  escaped: number,
  table: EscapeTable,
): void {
  const text = bytes.subarray(start, start + length);
  const found = routinesFor(text);
  let target = start + escaped;
  if (found === null) {
    for (let i = start + length - 1; i >= start; i--) {
      const c = bytes[i]!;
      if (isPlainByte(c, table)) {
        bytes[--target] = c;
        continue;
      }
      const escape = table.texts[c]!;
      for (let k = escape.length - 1; k >= 0; k--) bytes[--target] = escape.charCodeAt(k);
    }
    return;
  }
  const { memory, escape } = found;
  const at = tableAt(found, table, fillEscapes);
  const span = table.top - 0x20;
  for (let from = Math.floor((length - 1) / CHUNK) * CHUNK; from >= 0; from -= CHUNK) {
    const end = escape(INPUT, loadChunk(memory, text, from), table.quote, span, at, OUTPUT);
    target -= end - OUTPUT;
    bytes.set(memory.subarray(OUTPUT, end), target);
  }
}

/** Where `table` is in the module's memory, written there by `fill` on first use. */
function tableAt<Table extends EscapeTable | UnescapeTable>(
  found: Routines,
  table: Table,
  fill: (memory: Uint8Array, at: number, table: Table) => void,
): number {
  const known = found.tables.get(table);
  if (known !== undefined) return known;
  if (found.tables.size >= TABLES) throw new Error("plain-text: more tables than room");
  const at = found.tables.size * TABLE_SIZE;
  fill(found.memory, at, table);
  found.tables.set(table, at);
  return at;
}

/** An escape table as text-scan.wat reads it: per byte value, the length, then the text. */
function fillEscapes(memory: Uint8Array, at: number, table: EscapeTable): void {
  for (let byte = 0; byte < 256; byte++) {
    const text = isPlainByte(byte, table) ? undefined : table.texts[byte];
    if (!usableText(text)) continue;
    memory[at + 8 * byte] = text.length;
    for (let i = 0; i < text.length; i++) memory[at + 8 * byte + 1 + i] = text.charCodeAt(i);
  }
}

/** An unescape table as text-scan.wat reads it: per byte value, the byte (0: none). */
function fillUnescapes(memory: Uint8Array, at: number, table: UnescapeTable): void {
  for (let byte = 0; byte < 256; byte++) memory[at + byte] = table.bytes[byte] ?? 0;
}

function loopEscapedLength(bytes: Uint8Array, table: EscapeTable): number {
  let size = bytes.length;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (isPlainByte(c, table)) continue;
    const text = table.texts[c];
    if (!usableText(text)) return -1;
    size += text.length - 1;
  }
  return size;
}

/**
 * `inner`, the bytes between a string's quotes, unescaped into `out` (room for
 * `inner.length` bytes): their length there; or -1 when `inner` holds an escape the table
 * has not, an unescaped quote or control byte, or ends in a lone backslash.
 */
export function unescapeInto(inner: Uint8Array, table: UnescapeTable, out: Uint8Array): number {
  const found = routinesFor(inner);
  if (found === null) return loopUnescapeInto(inner, table, out);
  const { memory, unescape } = found;
  const at = tableAt(found, table, fillUnescapes);
  let written = 0;
  for (let from = 0; from < inner.length;) {
    let n = Math.min(CHUNK, inner.length - from);
    // An escape is two bytes: a chunk ends before a backslash whose escaped byte is not in it.
    let backslashes = 0;
    while (backslashes < n && inner[from + n - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 1 && from + n < inner.length) n--;
    const end = unescape(
      INPUT,
      loadChunk(memory, inner, from, n),
      table.quote,
      TEXT_SPAN,
      at,
      OUTPUT,
    );
    if (end < 0) return -1;
    out.set(memory.subarray(OUTPUT, end), written);
    written += end - OUTPUT;
    from += n;
  }
  return written;
}

function loopUnescapeInto(inner: Uint8Array, table: UnescapeTable, out: Uint8Array): number {
  let written = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i]!;
    if (c === BACKSLASH) {
      const byte = i + 1 < inner.length ? table.bytes[inner[++i]!] : undefined;
      if (byte === undefined) return -1;
      out[written++] = byte;
    } else if (c < 0x20 || c === table.quote) return -1;
    else out[written++] = c;
  }
  return written;
}

function isPlainByte(c: number, escaped: Escaped): boolean {
  return c >= 0x20 && c <= escaped.top && c !== escaped.quote && c !== BACKSLASH;
}

/** The same check in plain JavaScript (short inputs, and no WebAssembly). */
export function loopPlain(bytes: Uint8Array, escaped: Escaped): boolean {
  for (let i = 0; i < bytes.length; i++) if (!isPlainByte(bytes[i]!, escaped)) return false;
  return true;
}
