/**
 * One wire message as pyrogen handles it, whatever the generation: the header fields, the
 * annotation chunks and the payload. How it becomes bytes is the generation's `FrameCodec`
 * (protocol/wire-protocol.ts).
 */

/** A message; `data` is the payload (inflated, when it came from a reader). */
export interface Message {
  /** Message type, see `MessageType`. */
  type: number;
  /** Flag bits, see `MessageFlag` and the protocol's `flags`. */
  flags: number;
  /** Sequence number, 0..65535. */
  seq: number;
  /** Serializer id of the payload (the protocol's `serializers.id(name)`; PING has its own). */
  serializerId: number;
  /** Annotation chunks by 4-character key, in wire order. */
  annotations: Map<string, Uint8Array>;
  /** The payload. */
  data: Uint8Array;
  /**
   * A correlation id (16 UUID bytes) to send, as the generation carries it (Pyro4: a `CORR`
   * annotation after the others). A received message's: the codec's `correlationOf`.
   */
  correlationId?: Uint8Array | undefined;
}

/** How a message is framed. */
export interface EncodeOptions {
  /** Sign the message with this HMAC key (an empty key means no signing). */
  hmacKey?: Uint8Array | undefined;
  /** Refuse messages whose annotations + payload exceed this many bytes (0 = no limit). */
  maxMessageSize?: number | undefined;
  /** Compress the payload when the protocol would (Pyro4: ≥ 200 bytes and strictly smaller). */
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
  /** Pyro4's header checksum (a generation without one: its fixed magic number). */
  checksum: number;
  /** A correlation id the header itself carries (Pyro5), 16 bytes of its own. */
  correlationId?: Uint8Array | undefined;
}

/** A framed message in two parts: header + annotation chunks, then the payload as sent. */
export interface MessageParts {
  readonly head: Uint8Array;
  readonly data: Uint8Array;
}
