/**
 * The contract every serializer (serpent, json, marshal, msgpack) fulfils. All four share
 * one value mapping (see `../values.ts`) and one {@link ClassRegistry} for class dicts.
 */
import type { SerializerName } from "./catalog.js";
import type { ClassRegistry } from "./class-registry.js";

export type { SerializerName };

/** The wire ids of the serializers (header field `serializer id`). */
export const SERIALIZER_IDS: Readonly<Record<SerializerName, number>> = {
  serpent: 1,
  json: 2,
  marshal: 3,
  msgpack: 6,
};

/** One remote call as it travels in an INVOKE payload. */
export interface InvokeCall {
  /** The object id on the daemon (`Pyro.Daemon`, `Pyro.NameServer`, an application id). */
  readonly objectId: string;
  /** The method name; `__getattr__`, `__setattr__` and `<batch>` are Pyro's internal ones. */
  readonly method: string;
  /** Positional arguments. */
  readonly vargs: readonly unknown[];
  /** Keyword arguments; `null` only for attribute access and batches, as Pyro4 sends them. */
  readonly kwargs: Readonly<Record<string, unknown>> | null;
}

/** A serializer instance; it owns (or shares) a {@link ClassRegistry}. */
export interface Serializer {
  readonly name: SerializerName;
  /** The wire id (1 serpent, 2 json, 3 marshal, 6 msgpack). */
  readonly id: number;
  /** The class registry consulted for class dicts in both directions. */
  readonly registry: ClassRegistry;
  /** Serialize a value (a result, a handshake dict, an exception dict). */
  dumps(value: unknown): Uint8Array;
  /**
   * Parse a payload into a value, reviving class dicts through the registry. Bytes values
   * of 64 KiB or more (marshal, msgpack) are views of `data`, not copies: leave `data`
   * unchanged while they are in use.
   */
  loads(data: Uint8Array): unknown;
  /** Serialize an INVOKE payload in this serializer's call shape (spec 5.1). */
  dumpsCall(call: InvokeCall): Uint8Array;
  /**
   * {@link Serializer.dumpsCall} without copying the result out of the encoder's scratch
   * memory: the bytes are lent, for a request that is framed or written at once. Pass them
   * to `giveBack` (serializers/scratch.ts) once nothing reads them; until then the next
   * encode uses other memory. Bytes never given back are simply not reused.
   */
  dumpsCallLent(call: InvokeCall): Uint8Array;
  /** Parse an INVOKE payload (daemon side); accepts tuple or list vargs and null kwargs. */
  loadsCall(data: Uint8Array): InvokeCall;
}
