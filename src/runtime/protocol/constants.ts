/**
 * Fixed numbers of the Pyro4 wire protocol (version 48): header layout, message types,
 * flags, and the ids and limits that do not depend on a serializer.
 */

/** The protocol version Pyro4 4.82 speaks; any other version is refused. */
export const PROTOCOL_VERSION = 48;

/** Size of the fixed message header in bytes. */
export const HEADER_SIZE = 24;

/** The four magic bytes every message starts with: ASCII `PYRO`. */
export const MAGIC: Readonly<Uint8Array> = Uint8Array.of(0x50, 0x59, 0x52, 0x4f);

/** Added to the sum of the header fields to form the header checksum. */
export const CHECKSUM_MAGIC = 0x34e9;

/** Message types (header field `message type`). */
export const MessageType = {
  CONNECT: 1,
  CONNECTOK: 2,
  CONNECTFAIL: 3,
  INVOKE: 4,
  RESULT: 5,
  PING: 6,
} as const;

/** One of the {@link MessageType} values. */
export type MessageTypeValue = (typeof MessageType)[keyof typeof MessageType];

/** Flag bits (header field `flags`); they combine. */
export const MessageFlag = {
  EXCEPTION: 0x01,
  COMPRESSED: 0x02,
  ONEWAY: 0x04,
  BATCH: 0x08,
  META_ON_CONNECT: 0x10,
  ITEMSTREAMRESULT: 0x20,
  KEEPSERIALIZED: 0x40,
} as const;

/** The serializer id Python puts on PING messages; the daemon never decodes a PING payload. */
export const PING_SERIALIZER_ID = 42;

/** The serializer id of CONNECTFAIL replies sent before the daemon accepted the client's serializer. */
export const MARSHAL_SERIALIZER_ID = 3;

/** Annotation keys Pyro itself uses. */
export const Annotation = {
  /** HMAC-SHA1 digest of the payload and the other annotation values. */
  HMAC: "HMAC",
  /** Correlation id: 16 raw UUID bytes. */
  CORR: "CORR",
  /** Stream id (ASCII UUID) on the RESULT that starts an item stream. */
  STRM: "STRM",
  /** SerializedBlob info (marshal) on KEEPSERIALIZED requests. */
  BLBI: "BLBI",
} as const;

/** Largest payload the signed 32-bit data length field can announce. */
export const MAX_DATA_SIZE = 0x7fffffff;

/** Largest annotation block (and annotation value) the 16-bit length fields can carry. */
export const MAX_ANNOTATIONS_SIZE = 0xffff;

/** Payloads shorter than this are never compressed (Pyro4's threshold). */
export const COMPRESSION_THRESHOLD = 200;
