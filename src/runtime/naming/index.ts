/**
 * Finding objects by name: `locateNS`, the name-server client, broadcast discovery, and the
 * resolution of PYRONAME/PYROMETA URIs, each reaching the name server through a `PyroProxy`.
 * (Proxies resolve their own PYRONAME/PYROMETA URIs through `resolve.ts`, on every
 * reconnect unless `$bind()` pinned the result.)
 */
import { openProxy } from "../proxy.js";
import type { URI } from "../uri.js";
import { locateNameServer, type LocateOptions } from "./locate.js";
import type { NameServer } from "./name-server.js";
import { resolveLogicalUri, type ResolveOptions } from "./resolve.js";

export { discoverNameServer, type BroadcastOptions, type BroadcastOutcome } from "./broadcast.js";
export type { LocateOptions } from "./locate.js";
export {
  NameServer,
  NAMESERVER_NAME,
  type Registration,
  type ListedRegistration,
  type NameServerRegisterOptions,
  type RemoveOptions,
  type ListFilter,
} from "./name-server.js";
export type { ResolveOptions } from "./resolve.js";

/**
 * A client for a name server, found the way Pyro4's `locateNS` finds one: a direct
 * connection when a host is given; otherwise a direct try on a loopback NS_HOST, then UDP
 * discovery over BROADCAST_ADDRS, then NS_HOST:NS_PORT. When nothing is found this is a
 * `naming` error that lists every attempt.
 */
export function locateNS(options: LocateOptions = {}): Promise<NameServer> {
  return locateNameServer(options, openProxy);
}

/**
 * The direct `PYRO:` URI for `uri`: PYRONAME through the name server's `lookup`, PYROMETA
 * through `list` and a random pick among the matches; a `PYRO:` URI is returned as it is.
 */
export function resolveUri(uri: string | URI, options: ResolveOptions = {}): Promise<URI> {
  return resolveLogicalUri(uri, options, openProxy);
}
