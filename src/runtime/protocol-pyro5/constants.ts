/**
 * Fixed numbers of Pyro5's wire protocol (version 502): header layout, flags, serializer
 * ids and limits. Where they differ from Pyro4's, docs/pyro5-protocol.md ("at a glance")
 * lists the difference.
 */
import type { SerializerName } from "../serializers/catalog.js";

/** The protocol version Pyro5 5.x speaks. */
export const PROTOCOL_VERSION = 502;

/** Size of the fixed message header in bytes. */
export const HEADER_SIZE = 40;

/** The fixed number in the header's last two bytes (Pyro5 has no checksum). */
export const MAGIC_NUMBER = 0x4dc5;

/** Pyro5's flag bits (header field `flags`); 0x10..0x40 mean other things than in Pyro4. */
export const Pyro5Flag = {
  EXCEPTION: 0x01,
  COMPRESSED: 0x02,
  ONEWAY: 0x04,
  BATCH: 0x08,
  ITEMSTREAMRESULT: 0x10,
  KEEPSERIALIZED: 0x20,
  /** The header's correlation id field is set. */
  CORR_ID: 0x40,
} as const;

/** The wire ids of the serializers: json and marshal swapped against Pyro4, msgpack moved. */
export const SERIALIZER_IDS: Readonly<Record<SerializerName, number>> = {
  serpent: 1,
  marshal: 2,
  json: 3,
  msgpack: 4,
};

/** The serializer id Python puts on PING messages (never decoded). */
export const PING_SERIALIZER_ID = 42;

/** Largest value of the u32 length fields. */
export const MAX_LENGTH = 0xffffffff;

/** Pyro5 compresses every payload longer than this (whether or not it shrinks). */
export const COMPRESSION_THRESHOLD = 100;

/** Pyro5's zlib level. */
export const COMPRESSION_LEVEL = 4;
