/**
 * What every generation of Pyro's wire protocol shares: the message types, the flag bits
 * that never moved, and the annotation keys of both generations. Everything else is a
 * generation's own (`WireProtocol`, protocol/wire-protocol.ts).
 */

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

/**
 * The flag bits every generation has at the same place; they combine. The others
 * (ITEMSTREAMRESULT, KEEPSERIALIZED, …) are in each protocol's `flags`.
 */
export const MessageFlag = {
  EXCEPTION: 0x01,
  COMPRESSED: 0x02,
  ONEWAY: 0x04,
  BATCH: 0x08,
} as const;

/** Annotation keys Pyro itself uses in every generation. */
export const Annotation = {
  /** Stream id (ASCII UUID) on the RESULT that starts an item stream. */
  STRM: "STRM",
  /** SerializedBlob info (marshal) on KEEPSERIALIZED requests. */
  BLBI: "BLBI",
} as const;
