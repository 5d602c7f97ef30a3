/**
 * The correlation id of a request the daemon serves (Pyro's `current_context.correlation_id`):
 * the client's, or a fresh random version-4 UUID as Python's `uuid4()`.
 */
import { randomBytes } from "node:crypto";
import type { Message } from "../protocol/message.js";
import type { FrameCodec } from "../protocol/wire-protocol.js";

const CORR_BYTES = 16;

/** Random bytes drawn in bulk: one system call per 256 correlation ids instead of one each. */
let randomPool = Buffer.alloc(0);
let randomOffset = 0;

function randomCorrelation(): Uint8Array {
  if (randomOffset + CORR_BYTES > randomPool.length) {
    randomPool = randomBytes(CORR_BYTES * 256);
    randomOffset = 0;
  }
  const id = randomPool.subarray(randomOffset, randomOffset + CORR_BYTES);
  randomOffset += CORR_BYTES;
  // A version-4 UUID, as Python's uuid4() would be.
  id[6] = (id[6]! & 0x0f) | 0x40;
  id[8] = (id[8]! & 0x3f) | 0x80;
  return id;
}

/** The request's 16-byte correlation id (as `frames` reads it), else a new random one. */
export function correlationOf(msg: Message, frames: FrameCodec): Uint8Array {
  const given = frames.correlationOf(msg);
  return given !== undefined && given.length === CORR_BYTES ? given : randomCorrelation();
}
