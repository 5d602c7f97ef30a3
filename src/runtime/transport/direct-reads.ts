/**
 * Plain sockets (TCP and Unix) read straight into buffers their consumer hands out, through
 * Node's `onread` socket option, instead of getting a new buffer per read pushed through the
 * stream machinery: less work per reply, and a large body can land in place without a copy.
 * TLS sockets cannot read this way and keep their `data` events.
 */
import type { OnReadOpts, Socket } from "node:net";

/** The consumer of a socket's bytes: where the next read goes, then what arrived. */
export interface ReadTarget {
  /** The buffer the next read should fill (called once per read). */
  readBuffer(): Uint8Array;
  /** `count` bytes were read into `buffer` (possibly one this target did not hand out). */
  received(buffer: Uint8Array, count: number): void;
}

/**
 * Where reads go before a target is bound. One buffer serves every socket: each read's
 * bytes are copied out in its own callback, before any other socket reads.
 */
const unboundBuffer = Buffer.allocUnsafeSlow(16 * 1024);

/** The reads of one socket, bound to their consumer once it exists. */
export class DirectReads {
  #target: ReadTarget | null | undefined;
  /** Bytes that arrived before a target was bound (a Pyro4 daemon never sends first). */
  #early: Uint8Array[] = [];

  /** The `onread` option to create the socket with. */
  readonly onread: OnReadOpts = {
    buffer: () => this.#target?.readBuffer() ?? unboundBuffer,
    callback: (count, buffer) => {
      const target = this.#target;
      if (target) target.received(buffer, count);
      // A copy (`Buffer#slice` would be a view): every socket reads into the unbound buffer.
      else if (target === undefined) this.#early.push(Buffer.from(buffer.subarray(0, count)));
      return true;
    },
  };

  /**
   * Send every read to `target` from now on, starting with what arrived before; `null`
   * discards all further bytes (the consumer has closed).
   */
  bind(target: ReadTarget | null): void {
    this.#target = target;
    const early = this.#early;
    this.#early = [];
    if (target) for (const chunk of early) target.received(chunk, chunk.length);
  }
}

const bySocket = new WeakMap<Socket, DirectReads>();

/** Remember that `socket` was created with `reads.onread`. */
export function registerDirectReads(socket: Socket, reads: DirectReads): void {
  bySocket.set(socket, reads);
}

/** The direct reads of a socket created with them, else `undefined` (use `data` events). */
export function directReadsOf(stream: object): DirectReads | undefined {
  return bySocket.get(stream as Socket);
}
