/**
 * Pyro4's framing (protocol 48): the 24-byte header with its checksum, annotation chunks
 * with 16-bit lengths, HMAC-SHA1 signing, and compression as Pyro4 does it. This is the
 * `FrameCodec` of the `pyro4` protocol.
 */
import { deflateSync } from "node:zlib";
import { PyroError } from "../errors.js";
import { NO_ANNOTATIONS, annotationKey, copyOf } from "../protocol/annotation-value.js";
import { get16, put16, put32 } from "../protocol/big-endian.js";
import { MessageFlag } from "../protocol/constants.js";
import type { EncodeOptions, Message, MessageHeader, MessageParts } from "../protocol/message.js";
import { MAGIC, headerVersion, requireHeader, versionMismatch } from "../protocol/version.js";
import type { FrameCodec } from "../protocol/wire-protocol.js";
import {
  CHECKSUM_MAGIC,
  COMPRESSION_THRESHOLD,
  HEADER_SIZE,
  MAX_ANNOTATIONS_SIZE,
  MAX_DATA_SIZE,
  PROTOCOL_VERSION,
  Pyro4Annotation,
} from "./constants.js";
import { computeHmac, verifyHmac } from "./hmac.js";

/** The header checksum: the numeric fields and the version, plus 0x34E9, in 16 bits. */
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
 * added last (after the CORR chunk of `msg.correlationId`). A message whose `flags` already
 * contain COMPRESSED is taken as already compressed and sent as is.
 */
export function encodeMessage(msg: Message, options: EncodeOptions = {}): Uint8Array {
  return frame(msg, options, true).head;
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
    const compressed = compressedPayload(data);
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
  // The correlation id travels as the CORR chunk, after the others.
  let corr = msg.correlationId;
  const hmacKey = options.hmacKey;
  if (hmacKey !== undefined && hmacKey.length > 0) {
    const signed = new Map(msg.annotations);
    signed.delete(Pyro4Annotation.HMAC);
    if (corr !== undefined) {
      signed.delete(Pyro4Annotation.CORR);
      signed.set(Pyro4Annotation.CORR, corr);
      corr = undefined;
    }
    signed.set(Pyro4Annotation.HMAC, computeHmac(hmacKey, data, signed));
    annotations = signed;
  }
  let annotationsSize = corr === undefined ? 0 : 6 + corr.length;
  for (const [key, value] of annotations) {
    if (corr !== undefined && key === Pyro4Annotation.CORR) continue;
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
  put32(out, 12, data.length);
  put16(out, 16, fields.serializerId);
  put16(out, 18, annotationsSize);
  put16(out, 20, 0);
  put16(out, 22, headerChecksum(fields));
  let offset = HEADER_SIZE;
  for (const [key, value] of annotations) {
    if (corr !== undefined && key === Pyro4Annotation.CORR) continue;
    offset = putAnnotation(out, offset, key, value);
  }
  if (corr !== undefined) offset = putAnnotation(out, offset, Pyro4Annotation.CORR, corr);
  if (withData) out.set(data, offset);
  return { head: out, data };
}

function putAnnotation(out: Uint8Array, offset: number, key: string, value: Uint8Array): number {
  for (let i = 0; i < 4; i++) out[offset + i] = key.charCodeAt(i);
  put16(out, offset + 4, value.length);
  out.set(value, offset + 6);
  return offset + 6 + value.length;
}

/**
 * Parse and validate the 24-byte header at `offset` in `bytes`: magic and version,
 * checksum, then the data length sign. Every failure is a `protocol` error.
 */
export function decodeHeader(bytes: Uint8Array, offset = 0): MessageHeader {
  requireHeader(bytes, offset, HEADER_SIZE);
  const version = headerVersion(bytes, offset);
  if (version !== PROTOCOL_VERSION) {
    throw versionMismatch(
      version,
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

/**
 * The compressed form of `data`, or `undefined` when Pyro4 would not compress it: shorter
 * than 200 bytes, or not strictly smaller once compressed (zlib's default level, as Python's
 * `zlib.compress`).
 */
export function compressedPayload(data: Uint8Array): Uint8Array | undefined {
  if (data.length < COMPRESSION_THRESHOLD) return undefined;
  const compressed = deflateSync(data);
  return compressed.length < data.length ? compressed : undefined;
}

/** Split the annotation block of `size` bytes at `start` in `body` into key → value copies. */
export function decodeAnnotations(
  body: Uint8Array,
  start: number,
  size: number,
): Map<string, Uint8Array> {
  if (size === 0) return NO_ANNOTATIONS;
  const annotations = new Map<string, Uint8Array>();
  const end = start + size;
  let i = start;
  while (i < end) {
    if (end - i < 6) {
      throw new PyroError(
        "protocol",
        `invalid annotations: ${end - i} stray bytes at the end of the annotation block`,
      );
    }
    const key = annotationKey(body, i);
    const length = (body[i + 4]! << 8) | body[i + 5]!;
    if (i + 6 + length > end) {
      throw new PyroError(
        "protocol",
        `invalid annotations: '${key}' claims ${length} bytes but only ${end - i - 6} remain in the annotation block`,
      );
    }
    annotations.set(key, copyOf(body, i + 6, i + 6 + length));
    i += 6 + length;
  }
  return annotations;
}

/** Pyro4's framing as the protocol seam sees it. */
export const pyro4Frames: FrameCodec = {
  headerSize: HEADER_SIZE,
  decodeHeader,
  decodeAnnotations,
  verify: verifyHmac,
  encode: frame,
  correlationOf: (msg) => msg.correlationId ?? msg.annotations.get(Pyro4Annotation.CORR),
};
