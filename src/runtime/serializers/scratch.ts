/**
 * The memory the encoders write into, kept from one encode to the next so that the steady
 * state allocates no scratch, and lent out as a request's payload so that the payload is
 * not copied at all. Internal.
 *
 * A lent buffer is given back once the message that carries it is framed or written; until
 * then the next encode takes another kept buffer (or a fresh one). Only buffers this module
 * lent out can come back: caller-owned memory never enters the pool.
 */

/** The largest buffer kept: a bigger one serves one encode and goes to the collector. */
const MAX_KEPT_SIZE = 4 * 1024 * 1024;
/** Buffers kept: one for the next encode, one for a payload still being written. */
const MAX_KEPT = 2;

const kept: ArrayBuffer[] = [];
const lentOut = new WeakSet<ArrayBuffer>();

/** A kept buffer (the largest) for a new encode, or `undefined` when none is free. */
export function takeScratch(): ArrayBuffer | undefined {
  // At most MAX_KEPT (two) buffers: pick the larger of two, else the only one; of two alike,
  // the one kept last, whose memory the caches are likeliest to still hold.
  if (kept.length < 2) return kept.pop();
  const [first, second] = kept as [ArrayBuffer, ArrayBuffer];
  return first.byteLength > second.byteLength ? kept.shift() : kept.pop();
}

/** Keep `buffer` for a later encode; it must be referenced by nothing else from now on. */
export function keepScratch(buffer: ArrayBuffer): void {
  if (buffer.byteLength > MAX_KEPT_SIZE) return;
  if (kept.length < MAX_KEPT) {
    kept.push(buffer);
    return;
  }
  // Full: replace the smaller kept buffer when this one is larger (fewer regrowths later).
  const smaller = kept[0]!.byteLength <= kept[1]!.byteLength ? 0 : 1;
  if (kept[smaller]!.byteLength < buffer.byteLength) kept[smaller] = buffer;
}

/** The first `length` bytes of scratch `buffer`, lent out until {@link giveBack}. */
export function lendScratch(buffer: ArrayBuffer, length: number): Uint8Array {
  lentOut.add(buffer);
  return new Uint8Array(buffer, 0, length);
}

/**
 * Give back bytes from {@link lendScratch} once nothing reads them any more; anything else is
 * ignored. Not giving lent bytes back is harmless: they are then collected, not reused.
 */
export function giveBack(bytes: Uint8Array): void {
  if (lentOut.delete(bytes.buffer as ArrayBuffer)) keepScratch(bytes.buffer as ArrayBuffer);
}
