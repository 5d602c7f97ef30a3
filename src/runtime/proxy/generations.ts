/**
 * Which Pyro generation each address was found to speak, so that only a proxy's first
 * connection to an address may pay detection's extra round trip. Process-wide on purpose:
 * every proxy to one daemon benefits from what any of them learned. An address whose daemon
 * is replaced by one of the other generation is re-detected on its next connect (and
 * remembered anew).
 */
import type { WireProtocol } from "../protocol/wire-protocol.js";
import type { URI } from "../uri.js";

const known = new Map<string, WireProtocol>();

/** At most this many addresses are remembered (oldest forgotten first). */
const LIMIT = 4096;

function keyOf(uri: URI): string {
  return uri.location ?? uri.toString();
}

/** The protocol `uri`'s address was found to speak, if known. */
export function knownProtocol(uri: URI): WireProtocol | undefined {
  return known.get(keyOf(uri));
}

/** Remember that `uri`'s address speaks `protocol`. */
export function rememberProtocol(uri: URI, protocol: WireProtocol): void {
  const key = keyOf(uri);
  if (known.get(key) === protocol) return;
  known.delete(key);
  if (known.size >= LIMIT) known.delete(known.keys().next().value!);
  known.set(key, protocol);
}

/** Take `uri`'s address to speak `protocol` unless it is known already (a received URI). */
export function presumeProtocol(uri: URI, protocol: WireProtocol): void {
  if (knownProtocol(uri) === undefined) rememberProtocol(uri, protocol);
}

/** Forget every remembered address (tests use it to detect afresh). */
export function forgetProtocols(): void {
  known.clear();
}
