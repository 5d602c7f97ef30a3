/**
 * A received proxy (an auto-proxy, or a proxy a server passes along) becomes a live proxy
 * with the receiving proxy's settings, except what would trust the endpoint the server
 * named: as in Pyro4 it has the HMAC key of its state only (none unless the sender put one
 * there), and it gets the receiver's TLS settings only for the receiver's own daemon (else
 * the config's, as a proxy made by hand would). Its handshake and serializer come from the
 * state, and so does its metadata when the state lists any.
 */
import type { ObjectMetadata } from "../metadata.js";
import { isEmptyMetadata, metadataFromNames } from "../metadata.js";
import type { ProxyState } from "../protocol/wire-protocol.js";
import { URI } from "../uri.js";
import { settingsOptions, type ProxyOptions, type ProxySettings } from "./settings.js";

/**
 * The URI and options of the proxy for a received `state`, made by a proxy with `settings`
 * that is connected to (or points at) `here` (`host:port` or `./u:path`).
 */
export function receivedProxy(
  state: ProxyState,
  settings: ProxySettings,
  here: string | null,
): { uri: URI; options: ProxyOptions } {
  const known: ObjectMetadata = metadataFromNames(state.methods, state.oneway, state.attrs);
  const options = settingsOptions(settings, null);
  delete options.validateHandshake;
  const uri = URI.parse(state.uri, { nsPort: settings.config.get("NS_PORT") });
  if (uri.location === null || uri.location !== here) delete options.tls;
  return {
    uri,
    options: {
      ...options,
      serializer: state.serializer ?? settings.serializer.name,
      hmacKey: state.hmacKey,
      handshake: state.handshake,
      ...(isEmptyMetadata(known) ? {} : { knownMetadata: known }),
    },
  };
}
