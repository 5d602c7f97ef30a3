/**
 * One buffer a channel builds its mid-size frames in, message after message, instead of a
 * fresh allocation each (a 10 KiB request otherwise costs a 10 KiB `Buffer` outside V8's
 * heap, then the collector's work to free it, and fresh memory for the kernel to copy from).
 *
 * Only for a plain socket, which hands a write's bytes to the kernel during `write()` when
 * it can. Whether it did shows right after the write: nothing left queued. A frame still
 * queued, or only partly written, keeps the buffer: the channel leaves it to the stream and
 * the next frame gets a new one. So no write needs a callback, which would cost Node a
 * `nextTick` and a slow property store per write (2–5 µs of client CPU per 10 KiB call on
 * this machine, docs/bench-calls.md). Internal.
 */
import type { MessageParts } from "./message.js";

/** Frames from this size on are joined in the kept buffer; smaller ones come from Buffer's pool. */
export const KEPT_FRAME_MIN = 4 * 1024;

/** The kept buffer of one channel; see the module comment. */
export class KeptFrame {
  #buffer: Buffer | undefined;
  /** What the last {@link join} returned, until {@link wrote} is told of its write. */
  #joined: Uint8Array | undefined;

  /** `parts` joined in the kept buffer, to be written at once and then reported to {@link wrote}. */
  join(parts: MessageParts): Uint8Array {
    const size = parts.head.length + parts.data.length;
    let buffer = this.#buffer;
    if (buffer === undefined || buffer.length < size)
      buffer = this.#buffer = Buffer.allocUnsafeSlow(size);
    buffer.set(parts.head);
    buffer.set(parts.data, parts.head.length);
    return (this.#joined = buffer.subarray(0, size));
  }

  /** True for the frame the last {@link join} returned, until {@link wrote}. */
  holds(frame: Uint8Array): boolean {
    return frame === this.#joined;
  }

  /**
   * Right after writing the joined frame, with the bytes the stream still queues: none, and
   * the kernel has all of it, so the buffer serves the next frame; else the buffer is the
   * stream's until written, and the next frame gets a new one.
   */
  wrote(queuedBytes: number): void {
    this.#joined = undefined;
    if (queuedBytes > 0) this.#buffer = undefined;
  }
}
