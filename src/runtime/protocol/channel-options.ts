/**
 * The options of a `MessageChannel` (protocol/channel.ts) and of its requests, and what it
 * needs from a socket that delivers its reads directly.
 */
import type { CancelSignal } from "../cancel.js";
import type { PyroError } from "../errors.js";
import type { WireLogger } from "./wire-log.js";

/** How a `MessageChannel` frames and checks messages. */
export interface ChannelOptions {
  /** Sign sent messages and verify received ones with this HMAC key. */
  hmacKey?: Uint8Array | undefined;
  /** Refuse sent and received messages larger than this (0 = no limit). */
  maxMessageSize?: number | undefined;
  /** Compress sent payloads when the protocol would (received ones are always inflated). */
  compress?: boolean | undefined;
  /**
   * The most a received payload may inflate to, 0 = no limit (default: `maxMessageSize`
   * when set, else 64 MiB). Large payloads are inflated in zlib's threads.
   */
  maxInflatedSize?: number | undefined;
  /**
   * Where a plain socket created with Node's `onread` option delivers its bytes
   * (transport/direct-reads.ts); without it the channel reads `data` events.
   */
  directReads?: DirectReadSource | undefined;
  /**
   * The serializer id of PING messages (the protocol's `serializers.ping`): with it, a PING
   * goes out whenever replies arrive while other requests still wait and nothing else is
   * written before the next event-loop turn, so that its segment acknowledges the replies at
   * once. A Pyro daemon's socket has Nagle's algorithm on (SOCK_NODELAY defaults to False):
   * it holds a reply back while its previous one is unacknowledged, and this end's kernel
   * delays that acknowledgement by ~40 ms when it has nothing to send. Without such PINGs,
   * the last reply of a burst of pipelined requests waits those 40 ms. Absent: none sent.
   */
  ackPingSerializerId?: number | undefined;
  /** Log every message sent and received (LOGWIRE), naming the other end `peer`. */
  wireLog?: { logger: WireLogger; peer: string } | undefined;
}

/** A socket's reads, delivered to whoever binds (the channel binds its reader). */
export interface DirectReadSource {
  /** Send every read to `target` from now on; `null` discards all further bytes. */
  bind(
    target: { readBuffer(): Uint8Array; received(buffer: Uint8Array, count: number): void } | null,
  ): void;
}

/** Per-request options of `MessageChannel.request`. */
export interface RequestOptions {
  /**
   * Fail (and close the channel) when, while this request waits, no reply data arrives for
   * this many ms; 0 = wait forever. Time spent queued behind other requests whose replies
   * keep arriving does not count.
   */
  timeoutMs?: number | undefined;
  /** Abort the request; this closes the channel like a timeout does. */
  signal?: CancelSignal | undefined;
  /** `false` for oneway requests: resolve once the message is written, expect no reply. */
  expectReply?: boolean | undefined;
  /**
   * Called once with `msg.data` when the channel no longer reads it, whatever happens: right
   * after framing when the payload was copied into the frame, else once it is written.
   */
  release?: ((data: Uint8Array) => void) | undefined;
}

/** Called once when a channel closes, with the reason. */
export type CloseListener = (reason: PyroError) => void;
