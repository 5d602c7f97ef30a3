/**
 * One buffer a channel builds its mid-size frames in, message after message, instead of a
 * fresh allocation each (a 10 KiB request otherwise costs a 10 KiB `Buffer` outside V8's
 * heap, then the collector's work to free it, and fresh memory for the kernel to copy from).
 *
 * Only for a plain socket, which hands a write's bytes to the kernel during `write()` when
 * it can: a frame that is still queued, or only partly written, keeps the buffer busy until
 * its write callback, and the messages framed meanwhile get buffers of their own. Internal.
 */
import type { MessageParts } from "./message.js";

/** Frames from this size on are joined in the kept buffer; smaller ones come from Buffer's pool. */
export const KEPT_FRAME_MIN = 4 * 1024;

type WriteCallback = (error?: Error | null) => void;

/** The kept buffer of one channel; see the module comment. */
export class KeptFrame {
  #buffer: Buffer | undefined;
  /** What the last {@link join} returned while it may still be read by the stream. */
  #lent: Uint8Array | undefined;
  /** Counts joins, so that a late write callback cannot free a later frame's buffer. */
  #use = 0;

  /** `parts` joined in the kept buffer, or `undefined` when a frame in it is still being written. */
  join(parts: MessageParts): Uint8Array | undefined {
    if (this.#lent !== undefined) return undefined;
    const size = parts.head.length + parts.data.length;
    let buffer = this.#buffer;
    if (buffer === undefined || buffer.length < size)
      buffer = this.#buffer = Buffer.allocUnsafeSlow(size);
    buffer.set(parts.head);
    buffer.set(parts.data, parts.head.length);
    this.#use++;
    return (this.#lent = buffer.subarray(0, size));
  }

  /** True for the frame the last {@link join} returned, until it is written. */
  holds(frame: Uint8Array): boolean {
    return frame === this.#lent;
  }

  /**
   * The callback to write the joined frame with: frees the buffer once the stream is done
   * with it, then calls `done`.
   */
  whenWritten(done: WriteCallback | undefined): WriteCallback {
    const use = this.#use;
    return (error) => {
      if (this.#use === use) this.#lent = undefined;
      done?.(error);
    };
  }

  /**
   * Right after writing the joined frame: with nothing left queued the kernel has all of it,
   * and the buffer is free for the next message at once (not a tick later).
   */
  wrote(queuedBytes: number): void {
    if (queuedBytes === 0) this.#lent = undefined;
  }
}
