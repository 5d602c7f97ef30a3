/**
 * Payload compression (spec 2.8): zlib stream format (RFC 1950), like Python's
 * `zlib.compress`. Inflation is bounded so a small "zip bomb" cannot exhaust memory.
 */
import { deflateSync, inflateSync } from "node:zlib";
import { PyroError } from "../errors.js";
import { COMPRESSION_THRESHOLD } from "./constants.js";

/**
 * The compressed form of `data`, or `undefined` when Pyro4 would not compress it: shorter
 * than 200 bytes, or not strictly smaller once compressed.
 */
export function compressPayload(data: Uint8Array): Uint8Array | undefined {
  if (data.length < COMPRESSION_THRESHOLD) return undefined;
  const compressed = deflateSync(data);
  return compressed.length < data.length ? compressed : undefined;
}

/**
 * Inflate a COMPRESSED payload. With `maxOutput` > 0 the output may not exceed it (a
 * `message-too-large` error otherwise); corrupt input is a `protocol` error.
 */
export function inflatePayload(data: Uint8Array, maxOutput = 0): Uint8Array {
  try {
    return maxOutput > 0 ? inflateSync(data, { maxOutputLength: maxOutput }) : inflateSync(data);
  } catch (error) {
    if (isTooLarge(error)) {
      throw new PyroError(
        "message-too-large",
        `max message size exceeded (compressed payload inflates beyond max=${maxOutput}); ` +
          "raise maxMessageSize if such large messages are expected",
        { cause: error },
      );
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new PyroError(
      "protocol",
      `invalid compressed payload (${reason}); the peer set COMPRESSED on data that is not zlib`,
      { cause: error },
    );
  }
}

function isTooLarge(error: unknown): boolean {
  return (
    error instanceof RangeError ||
    (typeof error === "object" &&
      error !== null &&
      (error as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE")
  );
}
