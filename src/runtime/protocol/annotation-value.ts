/**
 * Annotation values (and Pyro5's header correlation id) as the frame codecs hand them out:
 * copies, not views into the memory a message was read into. The values are small (Pyro4
 * puts a 16-byte `CORR` on every reply), and a copy lets that memory be read into again once
 * the payload is decoded, while a caller keeps the annotations (a proxy's
 * `$responseAnnotations`). The reader copies bytes out of a buffer it does not own with the
 * same function. Annotation keys come from the decoders' key cache.
 */
import { PyroError } from "../errors.js";
import { asciiKey } from "../serializers/key-cache.js";

/**
 * The 4-byte ASCII key of the annotation at `at` of `body`. Through the decoders' key cache,
 * a key seen before (Pyro4's daemon answers every call with a `CORR`) is the same string
 * instance, which the annotations map does not hash again.
 */
export function annotationKey(body: Uint8Array, at: number): string {
  const key = asciiKey(body, at, 4);
  if (key === undefined) {
    throw new PyroError("protocol", "invalid annotations: an annotation key is not ASCII");
  }
  return key;
}

/** Up to this many bytes a loop copies faster than making a view to `set` from. */
const SHORT = 64;

/** The bytes of `bytes` from `start` to `end` in memory of their own. */
export function copyOf(bytes: Uint8Array, start: number, end: number): Uint8Array {
  const length = end - start;
  const copy = new Uint8Array(length);
  if (length > SHORT) copy.set(bytes.subarray(start, end));
  else for (let i = 0; i < length; i++) copy[i] = bytes[start + i]!;
  return copy;
}

/**
 * The annotations of every received message that has none (a Pyro5 reply, most requests):
 * one map for all, instead of a new one (~200 bytes) per message.
 */
export const NO_ANNOTATIONS: Map<string, Uint8Array> = new (class SharedEmptyMap extends Map<
  string,
  Uint8Array
> {
  // A change would reach every other message without annotations: refused.
  override set(): never {
    throw sharedEmpty();
  }

  override delete(): never {
    throw sharedEmpty();
  }

  override clear(): never {
    throw sharedEmpty();
  }
})();

function sharedEmpty(): TypeError {
  return new TypeError(
    "these are the shared empty annotations of messages that carry none: copy them into a new Map to change them",
  );
}
