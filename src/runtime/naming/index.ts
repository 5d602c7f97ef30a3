/**
 * Finding objects by name: `locateNS`, the name-server client, broadcast discovery, and the
 * resolution of PYRONAME/PYROMETA URIs. Importing this module installs that resolution as
 * the proxy's resolve hook, so such proxies resolve (again on every reconnect, unless
 * `$bind()` pinned the result) through the name server.
 */
import { proxyHooks } from "../proxy-hooks.js";
import { resolveUri } from "./resolve.js";

export { discoverNameServer, type BroadcastOptions, type BroadcastOutcome } from "./broadcast.js";
export { locateNS, type LocateOptions } from "./locate.js";
export {
  NameServer,
  NAMESERVER_NAME,
  type Registration,
  type ListedRegistration,
  type NameServerRegisterOptions,
  type RemoveOptions,
  type ListFilter,
} from "./name-server.js";
export { resolveUri, type ResolveOptions } from "./resolve.js";

// As Pyro4: the proxy's HMAC key is used for the name server too.
proxyHooks.resolve = (uri, proxy) =>
  resolveUri(uri, {
    config: proxy.$config,
    hmacKey: proxy.$hmacKey ?? null,
    proxyOptions: { timeoutMs: proxy.$timeout },
  });
