/**
 * HMAC message signing as Pyro4 does it: HMAC-SHA1 over the payload as on the wire, then the
 * values of every other annotation in ascending key order. The header is not covered.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { PyroError } from "../errors.js";
import { Pyro4Annotation } from "./constants.js";

/** The 20-byte HMAC-SHA1 digest of `data` and the annotation values (except `HMAC`). */
export function computeHmac(
  key: Uint8Array,
  data: Uint8Array,
  annotations: ReadonlyMap<string, Uint8Array>,
): Uint8Array {
  const mac = createHmac("sha1", key);
  mac.update(data);
  if (annotations.size > 0) {
    const keys = [...annotations.keys()].filter((k) => k !== Pyro4Annotation.HMAC).sort();
    for (const k of keys) mac.update(annotations.get(k)!);
  }
  return mac.digest();
}

/**
 * Check a received message's signature. An empty key counts as no key (as in Pyro4).
 * Throws a `security` error when exactly one side has a key or the digest differs.
 */
export function verifyHmac(
  key: Uint8Array | undefined,
  data: Uint8Array,
  annotations: ReadonlyMap<string, Uint8Array>,
): void {
  const received = annotations.get(Pyro4Annotation.HMAC);
  const hasKey = key !== undefined && key.length > 0;
  if (received === undefined && !hasKey) return;
  if (received === undefined || !hasKey) {
    throw new PyroError(
      "security",
      "hmac key config not symmetric: " +
        (hasKey
          ? "a key is set here but the peer does not sign its messages; set the same hmacKey on both sides"
          : "the peer signs its messages but no hmacKey is set here; set the same hmacKey on both sides"),
    );
  }
  const expected = computeHmac(key, data, annotations);
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
    throw new PyroError(
      "security",
      "message hmac mismatch: the peer uses a different hmacKey, or the message was altered",
    );
  }
}
