/**
 * The wire protocols pyrogen speaks, and the one proxies and daemons use unless told
 * otherwise. A new generation registers here (see docs/internals.md, "Wire protocols").
 */
import { pyro4 } from "./protocol-pyro4/index.js";
import { pyro5 } from "./protocol-pyro5/index.js";
import { headerVersion } from "./protocol/version.js";
import type { WireProtocol } from "./protocol/wire-protocol.js";
import { ClassRegistry } from "./serializers/class-registry.js";

/** Every protocol pyrogen speaks, oldest (and the default) first. */
export const WIRE_PROTOCOLS: readonly WireProtocol[] = [pyro4, pyro5];

/**
 * The protocol of daemons, and the first guess of proxies that detect the generation (Pyro4:
 * its daemons stay the common case, and a Pyro5 one costs a single extra round trip once).
 */
export const DEFAULT_PROTOCOL: WireProtocol = pyro4;

/**
 * A registry that revives every generation's URIs and errors and sends them under
 * `primary`'s class names.
 */
export function createProtocolRegistry(primary: WireProtocol = DEFAULT_PROTOCOL): ClassRegistry {
  const registry = new ClassRegistry();
  for (const protocol of WIRE_PROTOCOLS)
    if (protocol !== primary) protocol.dialect.register(registry);
  primary.dialect.register(registry);
  return registry;
}

/** The protocol whose header carries `version` (48, 502), if pyrogen speaks it. */
export function protocolOfVersion(version: number): WireProtocol | undefined {
  return WIRE_PROTOCOLS.find((protocol) => protocol.version === version);
}

/**
 * The protocol whose version the header at the start of `bytes` carries (a peer's first
 * bytes), else `fallback`: not Pyro, or a version pyrogen does not speak.
 */
export function protocolOfHeader(bytes: Uint8Array, fallback: WireProtocol): WireProtocol {
  const version = headerVersion(bytes, 0);
  return (version === undefined ? undefined : protocolOfVersion(version)) ?? fallback;
}

/** The protocol of Pyro generation `generation` (4 or 5). */
export function protocolOfGeneration(generation: 4 | 5): WireProtocol {
  return generation === 4 ? pyro4 : pyro5;
}
