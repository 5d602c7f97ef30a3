/**
 * Which bytes of encoded text a text format must escape between its quotes, if any, and
 * escaping them in place: the json and serpent encoders' paths for long strings, and json's
 * for a long string read alone. Internal.
 *
 * A regex over the text costs ~0.4 ns a character on Node 20, `JSON.parse` of a long string
 * about as much, and a loop over the bytes in JavaScript ~0.9 ns. A tiny WebAssembly routine
 * comparing 16 bytes at a time checks 10 KiB in ~0.6 µs, its copy in included. Where
 * WebAssembly is unavailable (`node --jitless`), the loop answers alike, only slower.
 */
import { Buffer } from "node:buffer";

/** The bytes a format escapes in a string: controls (< 0x20), its quote, backslash, above `top`. */
export interface Escaped {
  readonly quote: number;
  readonly top: number;
}

/** JSON (UTF-8, so any byte from 0x80 on is part of a character written as is). */
export const JSON_ESCAPED: Escaped = { quote: 0x22, top: 0xff };

/** serpent's single-quoted Python literal, copied as is only when printable ASCII. */
export const SERPENT_ESCAPED: Escaped = { quote: 0x27, top: 0x7e };

const BACKSLASH = 0x5c;

/** Below this many bytes the JavaScript loop beats copying into WebAssembly memory. */
const WASM_MIN = 80;

/**
 * The routine, hand-assembled (162 bytes). It exports one page of `memory` and
 * `scan(p, n, quote, backslash, span)`, which returns the index of the first byte in
 * `memory[p, n)` that is `quote` or `backslash`, or whose value minus 0x20 (wrapping) is above
 * `span` (below 0x20, or above 0x20 + span), else a value ≥ n. It reads whole 16-byte
 * blocks from `p`: the caller fills the 16 bytes after `n` with spaces.
 *
 * ```wat
 * (func (export "scan") (param $p i32) (param $n i32) (param $quote i32) (param $backslash i32)
 *   (param $span i32) (result i32) (local $m i32) (local $v v128) (local $q v128) (local $b v128)
 *   (local $s v128)
 *   (local.set $q (i8x16.splat (local.get $quote)))
 *   (local.set $b (i8x16.splat (local.get $backslash)))
 *   (local.set $s (i8x16.splat (local.get $span)))
 *   (block (loop
 *     (br_if 1 (i32.ge_u (local.get $p) (local.get $n)))
 *     (local.tee $m (i8x16.bitmask (v128.or (v128.or
 *       (i8x16.gt_u (i8x16.sub (local.tee $v (v128.load align=1 (local.get $p))) (v128.const i8x16 0x20 …))
 *                   (local.get $s))
 *       (i8x16.eq (local.get $v) (local.get $q)))
 *       (i8x16.eq (local.get $v) (local.get $b)))))
 *     (if (then (return (i32.add (local.get $p) (i32.ctz (local.get $m))))))
 *     (local.set $p (i32.add (local.get $p) (i32.const 16)))
 *     (br 0)))
 *   (local.get $n))
 * ```
 */
const SCAN_MODULE = Buffer.from(
  "AGFzbQEAAAABCgFgBX9/f39/AX8DAgEABQMBAAEHEQIEc2NhbgAABm1lbW9yeQIACnABbgIBfwR7IAL9DyEHIAP9" +
    "DyEIIAT9DyEJAkADQCAAIAFPDQEgAP0AAAAiBv0MICAgICAgICAgICAgICAgIP1xIAn9KCAGIAf9I/1QIAYgCP0j" +
    "/VD9ZCIFBEAgACAFaGoPCyAAQRBqIQAMAAsLIAEL",
  "base64",
);

/** What `scan` may look at in one go: its page, less the 16 bytes of padding. */
const CHUNK = 65536 - 16;

interface Scanner {
  readonly memory: Uint8Array;
  readonly scan: (p: number, n: number, quote: number, backslash: number, span: number) => number;
}

/** The part of the WebAssembly API used here (absent under `node --jitless`). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => {
    exports: { memory: { buffer: ArrayBuffer }; scan: Scanner["scan"] };
  };
}

/** Made on first use; `null` once WebAssembly turned out to be unavailable. */
let scanner: Scanner | null | undefined;

function loadScanner(): Scanner | null {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (wasm === undefined) return null;
  try {
    const { memory, scan } = new wasm.Instance(new wasm.Module(SCAN_MODULE)).exports;
    return { memory: new Uint8Array(memory.buffer), scan };
  } catch {
    // A WebAssembly without SIMD: the loop does the same job.
    return null;
  }
}

/** Whether the WebAssembly routine checks long inputs in this process (for tests). */
export function scannerLoaded(): boolean {
  return (scanner ??= loadScanner()) !== null;
}

/** True when `bytes` hold none of the bytes `escaped` names. */
export function isPlain(bytes: Uint8Array, escaped: Escaped): boolean {
  if (bytes.length >= WASM_MIN) {
    const found = (scanner ??= loadScanner());
    if (found !== null) return scanPlain(found, bytes, escaped);
  }
  return loopPlain(bytes, escaped);
}

function scanPlain(scanner: Scanner, bytes: Uint8Array, escaped: Escaped): boolean {
  const { memory, scan } = scanner;
  const span = escaped.top - 0x20;
  for (let from = 0; from < bytes.length; from += CHUNK) {
    const n = loadChunk(memory, bytes, from);
    if (scan(0, n, escaped.quote, BACKSLASH, span) < n) return false;
  }
  return true;
}

/** Copy the chunk of `bytes` that starts at `from` into `memory`, padded; its length. */
function loadChunk(memory: Uint8Array, bytes: Uint8Array, from: number): number {
  const n = Math.min(CHUNK, bytes.length - from);
  memory.set(n === bytes.length ? bytes : bytes.subarray(from, from + n));
  memory.fill(0x20, n, n + 16);
  return n;
}

/**
 * Where in `bytes` the bytes `escaped` names are, in order (empty when there are none); or
 * `undefined` as soon as more than one in `sparsity` of the bytes looked at so far is one
 * (a few early ones aside), when escaping them one by one would cost more than it saves.
 */
export function escapedPositions(
  bytes: Uint8Array,
  escaped: Escaped,
  sparsity: number,
): number[] | undefined {
  const positions: number[] = [];
  const found = bytes.length >= WASM_MIN ? (scanner ??= loadScanner()) : null;
  if (found === null) {
    for (let at = 0; at < bytes.length; at++) {
      if (isPlainByte(bytes[at]!, escaped)) continue;
      if (positions.push(at) > EARLY_ESCAPES + at / sparsity) return undefined;
    }
    return positions;
  }
  const { memory, scan } = found;
  const span = escaped.top - 0x20;
  for (let from = 0; from < bytes.length; from += CHUNK) {
    const n = loadChunk(memory, bytes, from);
    for (let at = scan(0, n, escaped.quote, BACKSLASH, span); at < n;) {
      if (positions.push(from + at) > EARLY_ESCAPES + (from + at) / sparsity) return undefined;
      at = scan(at + 1, n, escaped.quote, BACKSLASH, span);
    }
  }
  return positions;
}

/**
 * Escape and quote, in place, the `length` bytes at `start` of `bytes`, whose escaped bytes
 * are at `positions` (relative to `start`): each becomes `texts[byte]`, the runs between
 * them moved right from the last one back so that nothing is overwritten before it moves,
 * and `quote` goes before (at `start - 1`) and after. Returns where the text ends, after its
 * closing quote; or -1, with nothing written, when a byte has no text or the result would
 * not fit in `bytes`.
 */
export function quoteInPlace(
  bytes: Uint8Array,
  start: number,
  length: number,
  positions: readonly number[],
  texts: readonly (string | undefined)[],
  quote: number,
): number {
  let size = length + 2;
  for (const at of positions) {
    const text = texts[bytes[start + at]!];
    if (text === undefined) return -1;
    size += text.length - 1;
  }
  const end = start - 1 + size;
  if (end > bytes.length) return -1;
  let source = start + length;
  let target = end - 1;
  bytes[target] = quote;
  for (let k = positions.length - 1; k >= 0; k--) {
    const at = start + positions[k]!;
    const text = texts[bytes[at]!]!;
    // A byte that stands for itself (serpent's ' inside "…") stays in its run.
    if (text.length === 1 && text.charCodeAt(0) === bytes[at]) continue;
    target -= source - at - 1;
    bytes.copyWithin(target, at + 1, source);
    target -= text.length;
    for (let i = 0; i < text.length; i++) bytes[target + i] = text.charCodeAt(i);
    source = at;
  }
  bytes[start - 1] = quote;
  return end;
}

/**
 * The `sparsity` for {@link escapedPositions} below which escaping in place pays:
 * {@link quoteInPlace} costs ~50 ns an escaped byte (a call into the routine, a
 * `copyWithin`), the encoders' other path (`JSON.stringify`, serpent's repr) 1.4 ns a byte
 * or more.
 */
export const SPARSE_ESCAPES = 32;

/** How many escaped bytes {@link escapedPositions} takes before judging their density. */
const EARLY_ESCAPES = 8;

function isPlainByte(c: number, escaped: Escaped): boolean {
  return c >= 0x20 && c <= escaped.top && c !== escaped.quote && c !== BACKSLASH;
}

/** The same check in plain JavaScript (short inputs, and no WebAssembly). */
export function loopPlain(bytes: Uint8Array, escaped: Escaped): boolean {
  for (let i = 0; i < bytes.length; i++) if (!isPlainByte(bytes[i]!, escaped)) return false;
  return true;
}
