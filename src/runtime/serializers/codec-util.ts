/**
 * Small pieces shared by the json, marshal and msgpack codecs: the depth cap, error
 * construction, strict UTF-8, short ASCII strings, and the checks every decoder applies to a
 * decoded call.
 * Internal to the serializers; not part of the public runtime API.
 */
import * as nodeBuffer from "node:buffer";
import { Buffer, isAscii, isUtf8 } from "node:buffer";
import { PyroError } from "../errors.js";
import type { ClassRegistry } from "./class-registry.js";

/** Deepest nesting a decoder accepts or an encoder writes (hostile input, cyclic values). */
export const MAX_DEPTH = 1000;

/** Python refuses decimal int texts longer than this (`sys.get_int_max_str_digits()`). */
export const MAX_INT_DIGITS = 4300;

/** Received bytes values from this size on are views of the payload, not copies. */
const BYTES_VIEW_MIN = 64 * 1024;

/**
 * A received bytes value: `data[start, end)` as a plain `Uint8Array` (never a `Buffer`).
 * Small ones are copied, so they do not keep a shared receive buffer alive; large ones are
 * views, since a payload that size has a buffer of its own that nothing else reads after
 * decoding, and copying megabytes per call would cost more than the call.
 */
export function bytesValue(data: Uint8Array, start: number, end: number): Uint8Array {
  if (end - start < BYTES_VIEW_MIN) return new Uint8Array(data.subarray(start, end));
  payloadViews++;
  return new Uint8Array(data.buffer, data.byteOffset + start, end - start);
}

/** Large bytes values handed out as views of their payload, since the process started. */
let payloadViews = 0;

/**
 * A count that grows by one for every bytes value a decoder hands out as a view of its
 * payload ({@link bytesValue}). Unchanged across a `loads`, the decoded value views no part
 * of that payload, so the memory the payload was read into may be read into again.
 */
export function payloadViewCount(): number {
  return payloadViews;
}

/** A `serialize` error. */
export function serializeError(message: string, cause?: unknown): PyroError {
  return new PyroError("serialize", message, cause === undefined ? {} : { cause });
}

/** The error for nesting beyond {@link MAX_DEPTH}, naming where it happened. */
export function depthError(serializer: string, where: string): PyroError {
  return serializeError(
    `${serializer}: nesting deeper than ${MAX_DEPTH} levels ${where}; ` +
      "flatten the data (a cyclic structure cannot be sent)",
  );
}

/**
 * Run a decoder and turn anything that is not already a `PyroError` (a RangeError from a
 * typed-array view, a stack overflow, a throwing class hook) into a `serialize` error.
 */
export function guardDecode<T>(serializer: string, decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (error instanceof PyroError) throw error;
    const why = error instanceof Error ? error.message : String(error);
    throw serializeError(`${serializer}: cannot decode payload: ${why}`, error);
  }
}

/** Same as {@link guardDecode} for encoders: a foreign error becomes a `serialize` error. */
export function guardEncode<T>(serializer: string, encode: () => T): T {
  try {
    return encode();
  } catch (error) {
    if (error instanceof PyroError) throw error;
    const why = error instanceof Error ? error.message : String(error);
    throw serializeError(`${serializer}: cannot encode value: ${why}`, error);
  }
}

/**
 * Decode UTF-8 strictly; invalid bytes are a `serialize` error naming the offset. Each
 * length takes the path measured fastest on Node 20: short text a fatal `TextDecoder`;
 * long ASCII text, the usual case, latin1 after `isAscii` (10 KiB: 0.7 against 1.1–2.1
 * µs); long other text, checked with `isUtf8`, through ICU's `transcode` to UTF-16 (Node 20
 * decodes non-ASCII UTF-8 at ~5 ns a byte: 10 KiB of "é" 44 µs, transcoded 5.4 µs; but
 * `transcode` costs 1–4 µs a call, so only from {@link TRANSCODE_MIN} bytes on).
 */
export function decodeUtf8(
  bytes: Uint8Array,
  start: number,
  end: number,
  serializer: string,
): string {
  const length = end - start;
  if (length < LONG_TEXT_MIN) {
    try {
      const text =
        length === bytes.length
          ? bytes
          : new Uint8Array(bytes.buffer, bytes.byteOffset + start, length);
      return STRICT_UTF8.decode(text);
    } catch {
      throw invalidUtf8(serializer, start);
    }
  }
  const view = Buffer.from(bytes.buffer, bytes.byteOffset + start, length);
  if (isAscii(view)) return view.toString("latin1");
  if (!isUtf8(view)) throw invalidUtf8(serializer, start);
  if (length >= TRANSCODE_MIN && transcode !== undefined) {
    return transcode(view, "utf8", "utf16le").toString("utf16le");
  }
  return view.toString("utf8");
}

/** Keeps a byte-order mark as the character it is, as Python's `decode("utf-8")` does. */
const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** From this many bytes on, text is checked for ASCII first (below, `TextDecoder` is faster). */
const LONG_TEXT_MIN = 2048;

/** From this many bytes on, non-ASCII UTF-8 is decoded faster through `transcode`. */
const TRANSCODE_MIN = 4096;

/** `transcode` needs Node's ICU (official builds have it); without, `toString` decodes. */
const transcode = (nodeBuffer as Partial<typeof nodeBuffer>).transcode;

function invalidUtf8(serializer: string, start: number): PyroError {
  return serializeError(`${serializer}: invalid UTF-8 in string at offset ${start}`);
}

/** Revive a decoded str-keyed dict through the registry when its `__class__` is a string. */
export function reviveIfClassDict(registry: ClassRegistry, dict: Record<string, unknown>): unknown {
  return typeof dict["__class__"] === "string" ? registry.revive(dict) : dict;
}

/** What kind of JS value this is, for error messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value !== "object") return typeof value;
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === "string" && name !== "" ? name : "object";
}

/**
 * `length` (at most 16) ASCII (or Latin-1) bytes as a string. Each run of up to 8 goes to one
 * `fromCharCode` call, which is a quarter faster than appending char by char.
 */
export function shortAscii(b: Uint8Array, s: number, length: number): string {
  switch (length) {
    case 0:
      return "";
    case 1:
      return String.fromCharCode(b[s]!);
    case 2:
      return String.fromCharCode(b[s]!, b[s + 1]!);
    case 3:
      return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!);
    case 4:
      return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!);
    case 5:
      return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!);
    case 6:
      return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!);
    case 7:
      return String.fromCharCode(
        b[s]!,
        b[s + 1]!,
        b[s + 2]!,
        b[s + 3]!,
        b[s + 4]!,
        b[s + 5]!,
        b[s + 6]!,
      );
    case 8:
      return String.fromCharCode(
        b[s]!,
        b[s + 1]!,
        b[s + 2]!,
        b[s + 3]!,
        b[s + 4]!,
        b[s + 5]!,
        b[s + 6]!,
        b[s + 7]!,
      );
    default:
      return shortAscii(b, s, 8) + shortAscii(b, s + 8, length - 8);
  }
}
