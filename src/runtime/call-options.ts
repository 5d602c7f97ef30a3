/**
 * Per-call options of a proxy call (the trailing options bag), and the request annotations
 * (`CORR`, custom 4-letter keys) a proxy sends with its messages.
 */
import type { CancelSignal } from "./cancel.js";
import { PyroError } from "./errors.js";

/** Annotations as the application gives them: 4-character keys, bytes or text values. */
export type AnnotationsInit =
  ReadonlyMap<string, Uint8Array | string> | Readonly<Record<string, Uint8Array | string>>;

/** Options of one remote call: `proxy.$call(name, args, kwargs, options)`. */
export interface CallOptions {
  /** Abort the call. Once the request is written this closes the connection (see below). */
  signal?: AbortSignal | undefined;
  /**
   * Milliseconds to wait for the connection, then for reply data while this call waits (an
   * inactivity timeout, as Pyro4's); 0 = forever. Default: the proxy's `$timeout`. A
   * timed-out call closes the connection, so every other call in flight on it fails with the
   * same error and no late reply can be misread. For a hard deadline use `signal`.
   */
  timeoutMs?: number | undefined;
  /**
   * Send as a oneway call (no reply; resolves once written). Default: whether the metadata
   * lists the method as `@oneway`.
   */
  oneway?: boolean | undefined;
  /** Extra annotations for this request only, in addition to the proxy's `$annotations`. */
  annotations?: AnnotationsInit | undefined;
}

/** Turn {@link AnnotationsInit} into the wire form, checking keys (4 ASCII characters). */
export function toAnnotationMap(init: AnnotationsInit | undefined): Map<string, Uint8Array> {
  const result = new Map<string, Uint8Array>();
  if (init === undefined) return result;
  const entries = init instanceof Map ? init.entries() : Object.entries(init);
  for (const [key, value] of entries as Iterable<[string, Uint8Array | string]>) {
    if (!/^[\x20-\x7e]{4}$/.test(key)) {
      throw new PyroError(
        "protocol",
        `annotation key must be of length 4 (printable ASCII), got ${JSON.stringify(key)}`,
      );
    }
    if (key === "HMAC" || key === "CORR") {
      throw new PyroError(
        "protocol",
        `annotation ${key} is Pyro's own; use the hmacKey or correlationId option instead`,
      );
    }
    result.set(key, typeof value === "string" ? Buffer.from(value, "utf8") : value);
  }
  return result;
}

/** The 16 raw bytes of a UUID string (the `CORR` annotation value). */
export function correlationBytes(id: string): Uint8Array {
  const hex = id.replace(/-/g, "");
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) {
    throw new PyroError(
      "config",
      `invalid correlationId '${id}': must be a UUID such as crypto.randomUUID() gives`,
    );
  }
  return Buffer.from(hex, "hex");
}

/** The `aborted` error for a signal that fired (its reason kept as the cause). */
export function abortedError(signal: CancelSignal, what: string): PyroError {
  const reason: unknown = signal.reason;
  if (reason instanceof PyroError) return reason;
  const text = reason instanceof Error ? reason.message : String(reason);
  return new PyroError("aborted", `${what} aborted: ${text}`, { cause: reason });
}

/** A non-negative timeout in ms, or a `config` error naming the option. */
export function checkTimeout(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new PyroError(
      "config",
      `invalid ${what}=${String(value)}: must be a number of milliseconds >= 0 (0 = no timeout)`,
    );
  }
  return value;
}
