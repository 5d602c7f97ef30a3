/**
 * Recently decoded short ASCII dict keys, shared by every decode (msgpack, marshal). Handing
 * V8 the same string instance again lets a dict store skip hashing and interning the key: a
 * 1000-key dict builds about three times faster, a 100-key one twice. Every hit is checked
 * byte by byte.
 */
import { shortAscii } from "./codec-util.js";

/** Longest key the cache holds; longer keys are rare and decoded each time. */
const MAX_CACHED_KEY = 16;
/** Slots of the direct-mapped cache (a power of two). */
const SLOTS = 4096;
const cache: (string | undefined)[] = new Array<string | undefined>(SLOTS);

/**
 * The `length` bytes at `start` of `bytes` as a key string, the cached instance when it
 * holds the same text; `undefined` when they are not short ASCII (the caller decodes them).
 */
export function asciiKey(bytes: Uint8Array, start: number, length: number): string | undefined {
  if (length > MAX_CACHED_KEY) return undefined;
  const end = start + length;
  let hash = length;
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (c > 0x7f) return undefined;
    hash = (Math.imul(hash, 31) + c) | 0;
  }
  const slot = (hash ^ (hash >>> 12)) & (SLOTS - 1);
  const cached = cache[slot];
  if (cached !== undefined && cached.length === length) {
    let same = true;
    for (let i = 0; i < length; i++) {
      if (cached.charCodeAt(i) !== bytes[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return cached;
  }
  const text = shortAscii(bytes, start, length);
  cache[slot] = text;
  return text;
}
