/**
 * Inflating COMPRESSED payloads: zlib stream format (RFC 1950), in every generation. When to
 * compress is each generation's own rule (its `FrameCodec`). Inflation is always bounded,
 * so a small "zip bomb" can neither exhaust memory nor, inflated off the event loop, stall
 * every other connection.
 */
import { constants as bufferConstants } from "node:buffer";
import { inflate, inflateSync } from "node:zlib";
import { PyroError } from "../errors.js";

/** Without a max message size or an own limit, no payload inflates beyond 64 MiB. */
export const DEFAULT_MAX_INFLATED_SIZE = 64 * 1024 * 1024;

/** Payloads that inflate to at most this much are inflated at once; larger ones in zlib's threads. */
const INFLATE_AT_ONCE = 1024 * 1024;

/**
 * The most a compressed payload may inflate to, 0 = no limit: `maxInflatedSize` when given,
 * else `maxMessageSize` when that is set, else {@link DEFAULT_MAX_INFLATED_SIZE}; never more
 * than a set `maxMessageSize`.
 */
export function inflateLimit(maxMessageSize: number, maxInflatedSize: number | undefined): number {
  const limit =
    maxInflatedSize ?? (maxMessageSize > 0 ? maxMessageSize : DEFAULT_MAX_INFLATED_SIZE);
  return maxMessageSize > 0 && (limit === 0 || limit > maxMessageSize) ? maxMessageSize : limit;
}

/**
 * Inflate a COMPRESSED payload at once. With `maxOutput` > 0 the output may not exceed it
 * (a `message-too-large` error otherwise); corrupt input is a `protocol` error. Blocks the
 * event loop for as long as inflating takes: connections use {@link inflateBounded}.
 */
export function inflatePayload(data: Uint8Array, maxOutput = 0): Uint8Array {
  try {
    return maxOutput > 0 ? inflateSync(data, { maxOutputLength: maxOutput }) : inflateSync(data);
  } catch (error) {
    throw inflateError(error, maxOutput);
  }
}

/**
 * Inflate a COMPRESSED payload to at most `limit` bytes (0 = no limit): at once when it
 * inflates to 1 MiB or less, else in zlib's threads (a promise), so the event loop serves
 * other connections meanwhile. Errors as {@link inflatePayload}'s.
 */
export function inflateBounded(data: Uint8Array, limit: number): Uint8Array | Promise<Uint8Array> {
  const max = limit > 0 ? limit : bufferConstants.MAX_LENGTH;
  try {
    return inflateSync(data, { maxOutputLength: Math.min(max, INFLATE_AT_ONCE) });
  } catch (error) {
    if (!isTooLarge(error) || max <= INFLATE_AT_ONCE) throw inflateError(error, limit);
  }
  return new Promise((resolve, reject) => {
    inflate(data, { maxOutputLength: max }, (error, result) => {
      if (error === null) resolve(result);
      else reject(inflateError(error, limit));
    });
  });
}

function inflateError(error: unknown, limit: number): PyroError {
  if (isTooLarge(error)) {
    return new PyroError(
      "message-too-large",
      `max message size exceeded (a compressed payload inflates beyond ${limit} bytes, ` +
        "the limit for inflated payloads); raise maxInflatedSize (default: maxMessageSize " +
        "when set, else 64 MiB) if such large messages are expected",
      { cause: error },
    );
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new PyroError(
    "protocol",
    `invalid compressed payload (${reason}); the peer set COMPRESSED on data that is not zlib`,
    { cause: error },
  );
}

function isTooLarge(error: unknown): boolean {
  return (
    error instanceof RangeError ||
    (typeof error === "object" &&
      error !== null &&
      (error as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE")
  );
}
