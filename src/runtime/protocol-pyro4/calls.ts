/**
 * Pyro4's INVOKE payload: `(objectId, method, vargs, kwargs)`, laid out per serializer as
 * Python's clients write it — serpent a tuple with vargs as a tuple, marshal a tuple with
 * vargs as a list, msgpack an array, json (which has no tuples) the object
 * `{object, method, params, kwargs}`. A serializer whose calls cannot carry `None` kwargs
 * (marshal) sends `{}`. A `SerializedBlob` call carries its data in place of the vargs and
 * names its object and method in the marshal-encoded `BLBI` annotation.
 */
import { PyroError } from "../errors.js";
import type { CallLayout, InvokeCall } from "../protocol/wire-protocol.js";
import { SERIALIZER_TRAITS, type SerializerName } from "../serializers/catalog.js";
import { describe, serializeError } from "../serializers/codec-util.js";
import { MarshalSerializer } from "../serializers/marshal.js";
import type { Serializer } from "../serializers/serializer.js";
import { PyTuple } from "../values.js";

/** How each serializer's call payload is shaped. */
const SHAPES: Readonly<Record<SerializerName, "tuple" | "object">> = {
  serpent: "tuple",
  json: "object",
  marshal: "tuple",
  msgpack: "tuple",
};

/** serpent's vargs go as a tuple, as Python's clients send them; the others' as a list. */
const VARGS_AS_TUPLE: ReadonlySet<SerializerName> = new Set(["serpent"]);

/** BLBI values are marshal, whatever the call's serializer. */
const blobInfoSerializer = new MarshalSerializer();

function encode(
  serializer: Serializer,
  objectId: string,
  method: string,
  vargs: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>> | null,
  lent: boolean,
): Uint8Array {
  const name = serializer.name;
  const kw = kwargs === null && !SERIALIZER_TRAITS[name].nullKwargs ? {} : kwargs;
  if (SHAPES[name] === "object") {
    // Key order as Python writes it: object, method, params, kwargs.
    return serializer.dumps({ object: objectId, method, params: vargs, kwargs: kw }, lent);
  }
  const args = VARGS_AS_TUPLE.has(name) ? new PyTuple(vargs) : vargs;
  return serializer.dumpsTuple([objectId, method, args, kw], lent);
}

function decode(serializer: Serializer, data: Uint8Array): InvokeCall {
  const name = serializer.name;
  const payload = serializer.loads(data);
  if (SHAPES[name] === "object") {
    if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
      throw serializeError(
        `${name}: call payload is not an object with object/method/params/kwargs`,
      );
    }
    const dict = payload as Record<string, unknown>;
    return makeCall(name, dict["object"], dict["method"], dict["params"], dict["kwargs"]);
  }
  if (!Array.isArray(payload) || payload.length !== 4) {
    throw serializeError(
      `${name}: call payload is not a 4-tuple (objectId, method, vargs, kwargs)`,
    );
  }
  const [objectId, method, vargs, kwargs] = payload as unknown[];
  return makeCall(name, objectId, method, vargs, kwargs);
}

/** Check the four parts of a decoded INVOKE payload and build the call. */
function makeCall(
  serializer: string,
  objectId: unknown,
  method: unknown,
  vargs: unknown,
  kwargs: unknown,
): InvokeCall {
  if (typeof objectId !== "string") {
    throw serializeError(`${serializer}: call payload object id is ${describe(objectId)}, not str`);
  }
  if (typeof method !== "string") {
    throw serializeError(`${serializer}: call payload method is ${describe(method)}, not str`);
  }
  if (!Array.isArray(vargs)) {
    throw serializeError(`${serializer}: call payload vargs is ${describe(vargs)}, not a list`);
  }
  if (kwargs !== null && (typeof kwargs !== "object" || Array.isArray(kwargs))) {
    throw serializeError(`${serializer}: call payload kwargs is ${describe(kwargs)}, not a dict`);
  }
  if (kwargs instanceof Map) {
    throw serializeError(`${serializer}: call payload kwargs has non-str keys`);
  }
  return {
    objectId,
    method,
    vargs: vargs as unknown[],
    kwargs: kwargs as Record<string, unknown> | null,
  };
}

function encodeBlob(
  serializer: Serializer,
  objectId: string,
  method: string,
  data: unknown,
): Uint8Array {
  if (SHAPES[serializer.name] === "object") {
    return serializer.dumps({ object: objectId, method, params: data, kwargs: {} });
  }
  return serializer.dumpsTuple([objectId, method, data, {}]);
}

function decodeBlob(serializer: Serializer, payload: unknown): unknown {
  if (SHAPES[serializer.name] === "object") {
    if (typeof payload === "object" && payload !== null && "params" in payload) {
      return (payload as { params: unknown }).params;
    }
  } else if (Array.isArray(payload) && payload.length === 4) {
    return payload[2];
  }
  throw new PyroError("serialize", `invalid SerializedBlob payload: not a ${serializer.name} call`);
}

function blobInfo(info: unknown, objectId: string, method: string): Uint8Array {
  return blobInfoSerializer.dumpsTuple([info, objectId, method]);
}

function readBlobInfo(value: Uint8Array | undefined): {
  info: unknown;
  objectId: string;
  method: string;
} {
  const decoded = value === undefined ? undefined : blobInfoSerializer.loads(value);
  if (!Array.isArray(decoded) || decoded.length !== 3) {
    throw new PyroError(
      "serialize",
      "invalid SerializedBlob call: the BLBI annotation must be marshal (info, objectId, method)",
    );
  }
  const [info, objectId, method] = decoded as unknown[];
  if (typeof objectId !== "string" || typeof method !== "string") {
    throw new PyroError("serialize", "invalid SerializedBlob call: BLBI names no object or method");
  }
  return { info, objectId, method };
}

/** Pyro4's call layout as the protocol seam sees it. */
export const pyro4Calls: CallLayout = {
  encode,
  decode,
  encodeBlob,
  decodeBlob,
  blobInfo,
  readBlobInfo,
};
