/**
 * Pyro5's framing (protocol 502): the 40-byte header with the correlation id in it and a
 * fixed magic number instead of a checksum, annotation chunks with 32-bit lengths, no
 * signing, and compression as Pyro5 does it (level 4, every payload over 100 bytes). This
 * is the `FrameCodec` of the `pyro5` protocol (docs/pyro5-protocol.md, "Message framing").
 */
import { deflateSync } from "node:zlib";
import { PyroError } from "../errors.js";
import { NO_ANNOTATIONS, annotationKey, copyOf } from "../protocol/annotation-value.js";
import { get16, get32, put16, put32 } from "../protocol/big-endian.js";
import { MessageFlag } from "../protocol/constants.js";
import type { EncodeOptions, Message, MessageHeader, MessageParts } from "../protocol/message.js";
import { MAGIC, headerVersion, requireHeader, versionMismatch } from "../protocol/version.js";
import type { FrameCodec } from "../protocol/wire-protocol.js";
import {
  COMPRESSION_LEVEL,
  COMPRESSION_THRESHOLD,
  HEADER_SIZE,
  MAGIC_NUMBER,
  MAX_LENGTH,
  PROTOCOL_VERSION,
  Pyro5Flag,
} from "./constants.js";

/** The error for an HMAC key on a Pyro5 connection: Pyro5 dropped message signing. */
export function noHmacError(): PyroError {
  return new PyroError(
    "config",
    "Pyro5 has no HMAC message signing, so an hmacKey (HMAC_KEY) cannot be used with Pyro5 " +
      "peers: remove it and use TLS with client certificates to authenticate instead",
  );
}

function frame(msg: Message, options: EncodeOptions, withData: boolean): MessageParts {
  if (options.hmacKey !== undefined && options.hmacKey.length > 0) throw noHmacError();
  checkRange(msg.type, 0xff, "message type");
  checkRange(msg.serializerId, 0xff, "serializer id");
  checkRange(msg.flags, 0xffff, "flags");
  checkRange(msg.seq, 0xffff, "sequence number");
  let data = msg.data;
  let flags = msg.flags;
  if (
    options.compress === true &&
    (flags & MessageFlag.COMPRESSED) === 0 &&
    data.length > COMPRESSION_THRESHOLD
  ) {
    data = deflateSync(data, { level: COMPRESSION_LEVEL });
    flags |= MessageFlag.COMPRESSED;
  }
  const corr = msg.correlationId;
  if (corr !== undefined) {
    if (corr.length !== 16) {
      throw new PyroError("protocol", `a correlation id has 16 bytes, not ${corr.length}`);
    }
    flags |= Pyro5Flag.CORR_ID;
  }
  let annotationsSize = 0;
  for (const [key, value] of msg.annotations) {
    checkAnnotationKey(key);
    annotationsSize += 8 + value.length;
  }
  const total = data.length + annotationsSize;
  const max = options.maxMessageSize ?? 0;
  if ((max > 0 && total > max) || total > MAX_LENGTH) {
    throw new PyroError(
      "message-too-large",
      `max message size exceeded (${total} where max=${max > 0 ? max : MAX_LENGTH})`,
    );
  }
  // Buffer's pool makes small allocations much cheaper than a fresh Uint8Array.
  const out = Buffer.allocUnsafe(HEADER_SIZE + annotationsSize + (withData ? data.length : 0));
  out.set(MAGIC);
  put16(out, 4, PROTOCOL_VERSION);
  out[6] = msg.type;
  out[7] = msg.serializerId;
  put16(out, 8, flags);
  put16(out, 10, msg.seq);
  put32(out, 12, data.length);
  put32(out, 16, annotationsSize);
  if (corr === undefined) for (let i = 20; i < 36; i++) out[i] = 0;
  else out.set(corr, 20);
  put16(out, 36, 0);
  put16(out, 38, MAGIC_NUMBER);
  let offset = HEADER_SIZE;
  for (const [key, value] of msg.annotations) {
    for (let i = 0; i < 4; i++) out[offset + i] = key.charCodeAt(i);
    put32(out, offset + 4, value.length);
    out.set(value, offset + 8);
    offset += 8 + value.length;
  }
  if (withData) out.set(data, offset);
  return { head: out, data };
}

/**
 * Parse and check the 40-byte header at `offset`: magic and version (a Pyro4 peer's header
 * is a version mismatch the proxy can act on), then the magic number.
 */
function decodeHeader(bytes: Uint8Array, offset: number): MessageHeader {
  requireHeader(bytes, offset, HEADER_SIZE);
  const version = headerVersion(bytes, offset);
  if (version !== PROTOCOL_VERSION) {
    throw versionMismatch(
      version,
      version === undefined
        ? "invalid data: the peer is not a Pyro endpoint (check the host, port and TLS setting)"
        : `invalid protocol version: ${version} (the peer does not speak Pyro5's protocol ${PROTOCOL_VERSION})`,
    );
  }
  if (get16(bytes, offset + 38) !== MAGIC_NUMBER) {
    throw new PyroError(
      "protocol",
      "invalid message or protocol version: the header's magic number is wrong; the stream is corrupt",
    );
  }
  const flags = get16(bytes, offset + 8);
  return {
    type: bytes[offset + 6]!,
    serializerId: bytes[offset + 7]!,
    flags,
    seq: get16(bytes, offset + 10),
    dataSize: get32(bytes, offset + 12),
    annotationsSize: get32(bytes, offset + 16),
    checksum: MAGIC_NUMBER,
    // A copy (a view would keep the reader's memory): the header bytes are the reader's,
    // reused for later messages.
    correlationId:
      (flags & Pyro5Flag.CORR_ID) === 0 ? undefined : copyOf(bytes, offset + 20, offset + 36),
  };
}

/** Split the annotation block (8-byte chunk heads: key, u32 length) into key → value copies. */
function decodeAnnotations(body: Uint8Array, start: number, size: number): Map<string, Uint8Array> {
  if (size === 0) return NO_ANNOTATIONS;
  const annotations = new Map<string, Uint8Array>();
  const end = start + size;
  let i = start;
  while (i < end) {
    if (end - i < 8) {
      throw new PyroError(
        "protocol",
        `invalid annotations: ${end - i} stray bytes at the end of the annotation block`,
      );
    }
    const key = annotationKey(body, i);
    const length = get32(body, i + 4);
    if (i + 8 + length > end) {
      throw new PyroError(
        "protocol",
        `invalid annotations: '${key}' claims ${length} bytes but only ${end - i - 8} remain in the annotation block`,
      );
    }
    annotations.set(key, copyOf(body, i + 8, i + 8 + length));
    i += 8 + length;
  }
  return annotations;
}

/** Pyro5 signs nothing: a key set for a Pyro5 peer is a mistake, said clearly. */
function verify(key: Uint8Array | undefined): void {
  if (key !== undefined && key.length > 0) throw noHmacError();
}

function checkRange(value: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new PyroError("protocol", `${what} ${value} does not fit the header; use 0..${max}`);
  }
}

function checkAnnotationKey(key: string): void {
  let ascii = key.length === 4;
  for (let i = 0; ascii && i < 4; i++) ascii = key.charCodeAt(i) <= 0x7f;
  if (!ascii) {
    throw new PyroError(
      "protocol",
      `annotation identifier must be 4 ascii characters, got ${JSON.stringify(key)}`,
    );
  }
}

/** Pyro5's framing as the protocol seam sees it. */
export const pyro5Frames: FrameCodec = {
  headerSize: HEADER_SIZE,
  decodeHeader,
  decodeAnnotations,
  verify,
  encode: frame,
  correlationOf: (msg) => msg.correlationId,
};
