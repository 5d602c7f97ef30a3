/**
 * Fixed numbers of Pyro4's wire protocol (version 48): header layout, flags, serializer
 * ids, annotation keys and limits.
 */
import type { SerializerName } from "../serializers/catalog.js";

/** The protocol version Pyro4 4.82 speaks; any other version is refused. */
export const PROTOCOL_VERSION = 48;

/** Size of the fixed message header in bytes. */
export const HEADER_SIZE = 24;

/** Added to the sum of the header fields to form the header checksum. */
export const CHECKSUM_MAGIC = 0x34e9;

/** Pyro4's flag bits (header field `flags`); they combine. */
export const Pyro4Flag = {
  EXCEPTION: 0x01,
  COMPRESSED: 0x02,
  ONEWAY: 0x04,
  BATCH: 0x08,
  /** CONNECT: send the object's metadata along; CONNECTOK: it is there. */
  META_ON_CONNECT: 0x10,
  ITEMSTREAMRESULT: 0x20,
  KEEPSERIALIZED: 0x40,
} as const;

/** The wire ids of the serializers (header field `serializer id`). */
export const SERIALIZER_IDS: Readonly<Record<SerializerName, number>> = {
  serpent: 1,
  json: 2,
  marshal: 3,
  msgpack: 6,
};

/** The serializer id Python puts on PING messages; the daemon never decodes a PING payload. */
export const PING_SERIALIZER_ID = 42;

/** The serializer id of CONNECTFAIL replies sent before the daemon accepted the client's serializer. */
export const MARSHAL_SERIALIZER_ID = SERIALIZER_IDS.marshal;

/** Annotation keys of Pyro4's own, beside the shared `STRM` and `BLBI`. */
export const Pyro4Annotation = {
  /** HMAC-SHA1 digest of the payload and the other annotation values. */
  HMAC: "HMAC",
  /** Correlation id: 16 raw UUID bytes. */
  CORR: "CORR",
} as const;

/** Largest payload the signed 32-bit data length field can announce. */
export const MAX_DATA_SIZE = 0x7fffffff;

/** Largest annotation block (and annotation value) the 16-bit length fields can carry. */
export const MAX_ANNOTATIONS_SIZE = 0xffff;

/** Payloads shorter than this are never compressed (Pyro4's threshold). */
export const COMPRESSION_THRESHOLD = 200;
