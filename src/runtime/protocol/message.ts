/**
 * One Pyro4 wire message (spec 2): the 24-byte header, the annotation chunks and the
 * payload, and how a message becomes the bytes written to the socket.
 */
import { PyroError } from "../errors.js";
import { compressPayload } from "./compression.js";
import {
  Annotation,
  CHECKSUM_MAGIC,
  HEADER_SIZE,
  MAGIC,
  MAX_ANNOTATIONS_SIZE,
  MAX_DATA_SIZE,
  MessageFlag,
  PROTOCOL_VERSION,
} from "./constants.js";
import { computeHmac } from "./hmac.js";

/** A Pyro4 message; `data` is the payload (inflated, when it came from a reader). */
export interface Message {
  /** Message type, see `MessageType`. */
  type: number;
  /** Flag bits, see `MessageFlag`. */
  flags: number;
  /** Sequence number, 0..65535. */
  seq: number;
  /** Serializer id of the payload (1 serpent, 2 json, 3 marshal, 6 msgpack; 42 on PING). */
  serializerId: number;
  /** Annotation chunks by 4-character key, in wire order. */
  annotations: Map<string, Uint8Array>;
  /** The payload. */
  data: Uint8Array;
}

/** How {@link encodeMessage} frames a message. */
export interface EncodeOptions {
  /** Sign the message with HMAC-SHA1 under this key (an empty key means no signing). */
  hmacKey?: Uint8Array | undefined;
  /** Refuse messages whose annotations + payload exceed this many bytes (0 = no limit). */
  maxMessageSize?: number | undefined;
  /** Compress the payload when Pyro4 would (≥ 200 bytes and strictly smaller). */
  compress?: boolean | undefined;
}

/** The parsed fixed header of a message. */
export interface MessageHeader {
  type: number;
  flags: number;
  seq: number;
  /** Payload length as on the wire (compressed length when COMPRESSED is set). */
  dataSize: number;
  serializerId: number;
  /** Total length of the annotation chunks. */
  annotationsSize: number;
  checksum: number;
}

/** The header checksum over the numeric fields (spec 2.5). */
export function headerChecksum(
  header: Omit<MessageHeader, "checksum">,
  version = PROTOCOL_VERSION,
): number {
  return (
    (header.type +
      version +
      header.dataSize +
      header.annotationsSize +
      header.serializerId +
      header.flags +
      header.seq +
      CHECKSUM_MAGIC) &
    0xffff
  );
}

/**
 * Frame `msg` as one buffer: header, annotation chunks, payload. Compression (when asked
 * and worthwhile) comes first, then the HMAC chunk is computed over the final payload and
 * added last. A message whose `flags` already contain COMPRESSED is taken as already
 * compressed and sent as is.
 */
export function encodeMessage(msg: Message, options: EncodeOptions = {}): Uint8Array {
  return frame(msg, options, true).head;
}

/** A framed message in two parts: header + annotation chunks, then the payload as sent. */
export interface MessageParts {
  readonly head: Uint8Array;
  readonly data: Uint8Array;
}

/**
 * {@link encodeMessage} without joining the parts: header and annotations in `head`, the
 * payload (compressed when asked) in `data`, not copied. Writing both in one writev saves
 * copying a large payload.
 */
export function encodeMessageParts(msg: Message, options: EncodeOptions = {}): MessageParts {
  return frame(msg, options, false);
}

/** Check and frame `msg`; `withData` puts the payload into `head` as well (one buffer). */
function frame(msg: Message, options: EncodeOptions, withData: boolean): MessageParts {
  checkU16(msg.type, "message type");
  checkU16(msg.flags, "flags");
  checkU16(msg.seq, "sequence number");
  checkU16(msg.serializerId, "serializer id");
  let data = msg.data;
  let flags = msg.flags;
  if (options.compress === true && (flags & MessageFlag.COMPRESSED) === 0) {
    const compressed = compressPayload(data);
    if (compressed !== undefined) {
      data = compressed;
      flags |= MessageFlag.COMPRESSED;
    }
  }
  if (data.length > MAX_DATA_SIZE) {
    throw new PyroError(
      "message-too-large",
      `payload of ${data.length} bytes exceeds the protocol limit of ${MAX_DATA_SIZE} bytes; send less data per call`,
    );
  }
  let annotations: ReadonlyMap<string, Uint8Array> = msg.annotations;
  const hmacKey = options.hmacKey;
  if (hmacKey !== undefined && hmacKey.length > 0) {
    const signed = new Map(msg.annotations);
    signed.delete(Annotation.HMAC);
    signed.set(Annotation.HMAC, computeHmac(hmacKey, data, signed));
    annotations = signed;
  }
  let annotationsSize = 0;
  for (const [key, value] of annotations) {
    checkAnnotationKey(key);
    annotationsSize += 6 + value.length;
  }
  if (annotationsSize > MAX_ANNOTATIONS_SIZE) {
    throw new PyroError(
      "protocol",
      `annotations take ${annotationsSize} bytes but at most ${MAX_ANNOTATIONS_SIZE} fit in a message; send smaller annotation values`,
    );
  }
  const max = options.maxMessageSize ?? 0;
  if (max > 0 && data.length + annotationsSize > max) {
    throw new PyroError(
      "message-too-large",
      `max message size exceeded (${data.length + annotationsSize} where max=${max})`,
    );
  }
  // Buffer's pool makes small allocations much cheaper than a fresh Uint8Array.
  const out = Buffer.allocUnsafe(HEADER_SIZE + annotationsSize + (withData ? data.length : 0));
  const fields = {
    type: msg.type,
    flags,
    seq: msg.seq,
    dataSize: data.length,
    serializerId: msg.serializerId,
    annotationsSize,
  };
  out.set(MAGIC);
  put16(out, 4, PROTOCOL_VERSION);
  put16(out, 6, fields.type);
  put16(out, 8, flags);
  put16(out, 10, fields.seq);
  put16(out, 12, data.length >>> 16);
  put16(out, 14, data.length & 0xffff);
  put16(out, 16, fields.serializerId);
  put16(out, 18, annotationsSize);
  put16(out, 20, 0);
  put16(out, 22, headerChecksum(fields));
  let offset = HEADER_SIZE;
  for (const [key, value] of annotations) {
    for (let i = 0; i < 4; i++) out[offset + i] = key.charCodeAt(i);
    put16(out, offset + 4, value.length);
    out.set(value, offset + 6);
    offset += 6 + value.length;
  }
  if (withData) out.set(data, offset);
  return { head: out, data };
}

function get16(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 8) | bytes[at + 1]!;
}

function put16(out: Uint8Array, at: number, value: number): void {
  out[at] = value >>> 8;
  out[at + 1] = value & 0xff;
}

/**
 * Parse and validate the 24-byte header at `offset` in `bytes`: magic and version,
 * checksum, then the data length sign. Every failure is a `protocol` error.
 */
export function decodeHeader(bytes: Uint8Array, offset = 0): MessageHeader {
  if (bytes.length - offset < HEADER_SIZE) {
    throw new PyroError(
      "protocol",
      `header data size mismatch: got ${Math.max(0, bytes.length - offset)} bytes, a header has ${HEADER_SIZE}`,
    );
  }
  if (
    bytes[offset] !== 0x50 ||
    bytes[offset + 1] !== 0x59 ||
    bytes[offset + 2] !== 0x52 ||
    bytes[offset + 3] !== 0x4f ||
    get16(bytes, offset + 4) !== PROTOCOL_VERSION
  ) {
    throw new PyroError(
      "protocol",
      "invalid data or unsupported protocol version: the peer is not a Pyro4 4.x endpoint " +
        `speaking protocol ${PROTOCOL_VERSION} (check the host, port and TLS setting)`,
    );
  }
  const header: MessageHeader = {
    type: get16(bytes, offset + 6),
    flags: get16(bytes, offset + 8),
    seq: get16(bytes, offset + 10),
    // Signed 32-bit, as Pyro4's struct format "i".
    dataSize: (get16(bytes, offset + 12) << 16) | get16(bytes, offset + 14),
    serializerId: get16(bytes, offset + 16),
    annotationsSize: get16(bytes, offset + 18),
    checksum: get16(bytes, offset + 22),
  };
  if (header.checksum !== headerChecksum(header)) {
    throw new PyroError(
      "protocol",
      "header checksum mismatch: the stream is corrupt or out of step; reconnect",
    );
  }
  if (header.dataSize < 0) {
    throw new PyroError(
      "protocol",
      `invalid data length ${header.dataSize} in header (must be 0..${MAX_DATA_SIZE}); the stream is corrupt`,
    );
  }
  return header;
}

function checkU16(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) {
    throw new PyroError("protocol", `${what} ${value} does not fit the header; use 0..65535`);
  }
}

function checkAnnotationKey(key: string): void {
  let ascii = key.length === 4;
  for (let i = 0; ascii && i < 4; i++) ascii = key.charCodeAt(i) <= 0x7f;
  if (!ascii) {
    throw new PyroError(
      "protocol",
      `annotation key must be of length 4 (ASCII characters), got ${JSON.stringify(key)}`,
    );
  }
}
