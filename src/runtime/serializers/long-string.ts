/**
 * A long string alone (a text result) read straight from its bytes: a json or serpent
 * payload that is one string literal, whose escapes are all simple ones. Internal.
 *
 * `JSON.parse` of a string alone makes two strings, the JSON text and then the value;
 * serpent's parser decodes the whole document to a string, then joins a piece of the
 * literal per escape. Here the bytes are unescaped into kept scratch memory (a WebAssembly
 * routine, plain-text.ts) and decoded once. Lines of text with an escape every 40 bytes read
 * 2–3x faster this way from 1 KiB to 64 KiB (10 KiB: json 6.3 → 2.5 µs, serpent 7.0 → 2.5);
 * at 1 MiB, json 4.3–7.5 ms with `JSON.parse` and 0.3–1.0 ms here, serpent 0.8–1.6 ms with
 * the parser and 0.3–0.4 here (docs/internals.md).
 */
import { decodeUtf8, serializeError } from "./codec-util.js";
import { unescapeInto, type UnescapeTable } from "./plain-text.js";
import { keepScratch, takeScratch } from "./scratch.js";

/** The shortest string (bytes between its quotes) read this way. */
export const LONG_STRING_MIN = 1024;

/**
 * The text of the string whose bytes between the quotes are `inner`, when all its escapes
 * are in `table`; `undefined` for anything else (other escapes, an unescaped quote or
 * control byte), which the format's parser then reads or refuses. Throws a `serialize`
 * error naming `format` and `offset` (where `inner` starts in the payload) for invalid UTF-8.
 */
export function unescapedText(
  inner: Uint8Array,
  offset: number,
  table: UnescapeTable,
  format: "json" | "serpent",
): string | undefined {
  const scratch = takeScratch();
  const out =
    scratch !== undefined && scratch.byteLength >= inner.length
      ? new Uint8Array(scratch)
      : new Uint8Array(inner.length);
  try {
    const length = unescapeInto(inner, table, out);
    if (length < 0) return undefined;
    try {
      return decodeUtf8(out, 0, length, format);
    } catch {
      throw serializeError(`${format}: invalid UTF-8 in the string at offset ${offset}`);
    }
  } finally {
    // The string is a copy: nothing views this memory any more.
    if (scratch !== undefined) keepScratch(scratch);
    if (out.buffer !== scratch) keepScratch(out.buffer);
  }
}
