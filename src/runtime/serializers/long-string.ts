/**
 * A long string alone (a large text result) read straight from its bytes: a json or serpent
 * payload that is one string literal, whose escapes are all simple ones. Internal.
 *
 * From ~128 KiB on, `JSON.parse` of a string alone makes two strings that large, the JSON
 * text and then the value, each on pages of its own; serpent's parser decodes the whole
 * document to a string, then joins a piece of the literal per escape. Here the bytes are
 * unescaped into kept scratch memory (a WebAssembly routine, plain-text.ts) and decoded
 * once. 1 MiB of multi-line text: json 4.3–7.5 ms with `JSON.parse`, ~1–1.9 ms with its
 * escapes handled one by one in JavaScript, 0.3–1.0 ms here; serpent 0.8–1.6 ms with the
 * parser, 0.3–0.4 here (docs/internals.md). The 128 KiB is where `JSON.parse` stopped being
 * as fast; at 256 KiB both ways read about alike, making the string taking most of the time.
 */
import { decodeUtf8, serializeError } from "./codec-util.js";
import { unescapeInto, type UnescapeTable } from "./plain-text.js";
import { keepScratch, takeScratch } from "./scratch.js";

/** The shortest string (bytes between its quotes) read this way. */
export const LONG_STRING_MIN = 128 * 1024;

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
