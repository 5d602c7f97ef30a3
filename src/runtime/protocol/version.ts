/**
 * A peer that speaks another generation of the protocol: every generation starts a message
 * with `PYRO` and a u16 version, and a daemon answers a CONNECT of the wrong generation in
 * its own format. A codec that reads such a header fails with {@link versionMismatch}; the
 * proxy reads the version back ({@link peerVersionOf}) to switch generations.
 */
import { PyroError } from "../errors.js";
import { get16 } from "./big-endian.js";

/** The cause of a version-mismatch error: which version the peer's header carried. */
export class PeerVersion {
  constructor(readonly version: number) {}
}

/** Fail with a `protocol` error unless a whole `size`-byte header starts at `offset`. */
export function requireHeader(bytes: Uint8Array, offset: number, size: number): void {
  if (bytes.length - offset >= size) return;
  throw new PyroError(
    "protocol",
    `header data size mismatch: got ${Math.max(0, bytes.length - offset)} bytes, a header has ${size}`,
  );
}

/** The four bytes every message of either generation starts with: ASCII `PYRO`. */
export const MAGIC: Readonly<Uint8Array> = Uint8Array.of(0x50, 0x59, 0x52, 0x4f);

/** How many bytes of a header tell its generation: `PYRO` and the u16 version. */
export const VERSION_BYTES = 6;

/** The protocol version at `offset + 4` of a header that starts with `PYRO`, else `undefined`. */
export function headerVersion(bytes: Uint8Array, offset: number): number | undefined {
  if (bytes.length - offset < VERSION_BYTES) return undefined;
  const pyro =
    bytes[offset] === MAGIC[0] &&
    bytes[offset + 1] === MAGIC[1] &&
    bytes[offset + 2] === MAGIC[2] &&
    bytes[offset + 3] === MAGIC[3];
  return pyro ? get16(bytes, offset + 4) : undefined;
}

/** The `protocol` error for a header of another version, `found` (`undefined`: not Pyro at all). */
export function versionMismatch(found: number | undefined, message: string): PyroError {
  return new PyroError(
    "protocol",
    message,
    found === undefined ? {} : { cause: new PeerVersion(found) },
  );
}

/** The version a peer spoke, when `error` is a version mismatch; else `undefined`. */
export function peerVersionOf(error: unknown): number | undefined {
  if (!(error instanceof PyroError) || error.code !== "protocol") return undefined;
  return error.cause instanceof PeerVersion ? error.cause.version : undefined;
}
