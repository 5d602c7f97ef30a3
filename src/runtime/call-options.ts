/**
 * Per-call options of a proxy call (the trailing options bag), and the request annotations
 * (`CORR`, custom 4-letter keys) a proxy sends with its messages.
 */
import type { CancelSignal } from "./cancel.js";
import { PyroError } from "./errors.js";

/** Annotations as the application gives them: 4-character keys, bytes or text values. */
export type AnnotationsInit =
  ReadonlyMap<string, Uint8Array | string> | Readonly<Record<string, Uint8Array | string>>;

/**
 * Annotations computed per request (Pyro4's overridable `_pyroAnnotations()`): called for
 * every message the proxy sends (CONNECT, each call, each ping), so its result may change
 * from one request to the next.
 */
export type AnnotationsFunction = () => AnnotationsInit;

/** A proxy's or a call's annotations: fixed ones, or a function called per request. */
export type AnnotationsOption = AnnotationsInit | AnnotationsFunction;

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
  /**
   * Extra annotations for this request only, in addition to the proxy's `$annotations` (a
   * key given here wins); a function is called when the request is made.
   */
  annotations?: AnnotationsOption | undefined;
}

/**
 * Annotations in the wire form, checking keys (4 ASCII characters); a function is called
 * now and its result checked (a result that is not annotations is a `config` error).
 */
export function toAnnotationMap(option: AnnotationsOption | undefined): Map<string, Uint8Array> {
  const result = new Map<string, Uint8Array>();
  const init = typeof option === "function" ? option() : option;
  if (init === undefined) return result;
  if (typeof init !== "object" || init === null) {
    throw new PyroError(
      "config",
      `the annotations function returned ${init === null ? "null" : typeof init}, not a Map or an object of annotations`,
    );
  }
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
