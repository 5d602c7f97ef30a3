/**
 * Pyro4's `SerializedBlob`: call data that stays serialized on its way through a
 * dispatcher, deserialized only by the receiver that wants it (Pyro4's `blob-dispatch`
 * example). On the wire it is an INVOKE with the KEEPSERIALIZED flag whose payload is an
 * ordinary call payload with the blob's data in place of the argument list, and whose
 * `BLBI` annotation holds `marshal.dumps((info, objectId, method))`.
 *
 * A proxy sends one when it is the only argument of a call; pyrogen's daemon hands a
 * received one to the method still serialized, and a proxy passes it on unchanged.
 */
import { PyroError } from "./errors.js";
import type { CallLayout, InvokeCall } from "./protocol/wire-protocol.js";
import type { Serializer } from "./serializers/serializer.js";

/** A blob as it arrived: the call payload as the sender's serializer wrote it. */
interface Arrived {
  readonly data: Uint8Array;
  readonly serializer: Serializer;
  readonly calls: CallLayout;
}

/** Blobs that arrived serialized, with their payload (a private field the daemon can set). */
const arrived = new WeakMap<SerializedBlob, Arrived>();

/**
 * Data that travels serialized: pass it as the only argument of a call
 * (`proxy.$call("process_blob", [new SerializedBlob(topic, data)])`). The receiver gets a
 * `SerializedBlob` whose {@link deserialized} decodes the data when it is wanted.
 */
export class SerializedBlob<T = unknown> {
  /** Small descriptive data (an id, a topic name); it travels as marshal, so keep it plain. */
  readonly info: unknown;
  readonly #data: T | undefined;

  /** `data` is what would otherwise be the call's arguments; it is sent as they would be. */
  constructor(info: unknown, data: T) {
    this.info = info;
    this.#data = data;
  }

  /**
   * The data: as given, or decoded now from the payload it arrived in (with the receiving
   * daemon's class registry, so its dict-to-class hooks apply).
   */
  deserialized(): T {
    const blob = arrived.get(this);
    if (blob === undefined) return this.#data as T;
    return blob.calls.decodeBlob(blob.serializer, blob.serializer.loads(blob.data)) as T;
  }
}

/**
 * @internal The call a KEEPSERIALIZED request makes (the daemon side): the object and method
 * its `BLBI` annotation names, with one argument, a blob holding the INVOKE payload `data`
 * still serialized.
 */
export function blobCall(
  annotation: Uint8Array | undefined,
  data: Uint8Array,
  serializer: Serializer,
  calls: CallLayout,
): InvokeCall {
  const { info, objectId, method } = calls.readBlobInfo(annotation);
  const blob = new SerializedBlob<unknown>(info, undefined);
  arrived.set(blob, { data, serializer, calls });
  return { objectId, method, vargs: [blob], kwargs: {} };
}

/** What a proxy sends for a call whose only argument is a blob. */
export interface BlobRequest {
  /** The INVOKE payload. */
  readonly data: Uint8Array;
  /** The `BLBI` annotation value. */
  readonly info: Uint8Array;
}

/**
 * @internal The request for `method(blob)` on `objectId`: a blob that arrived in this
 * serializer is passed on byte for byte; any other is serialized (again) as call data.
 */
export function blobRequest(
  blob: SerializedBlob,
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>> | null,
  serializer: Serializer,
  calls: CallLayout,
  objectId: string,
  method: string,
): BlobRequest {
  if (args.length !== 1 || (kwargs !== null && Object.keys(kwargs).length > 0)) {
    throw new PyroError(
      "serialize",
      "if SerializedBlob is used, it must be the only argument (no other arguments, no kwargs)",
    );
  }
  const info = calls.blobInfo(blob.info, objectId, method);
  const given = arrived.get(blob);
  if (given !== undefined && given.serializer.name === serializer.name) {
    return { data: given.data, info };
  }
  return { data: calls.encodeBlob(serializer, objectId, method, blob.deserialized()), info };
}
