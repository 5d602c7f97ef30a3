/**
 * The seams through which higher runtime modules (naming, stream) plug into the proxy
 * without the proxy importing them (the proxy layer sits below them):
 *
 * - `resolve`: turns the proxy's URI into a `PYRO:` URI before every (re)connect.
 *   Default: `PYRO:` URIs as they are; `PYRONAME:`/`PYROMETA:` fail with a `naming` error
 *   until the naming module installs its resolver (`proxyHooks.resolve = …`).
 * - `stream`: turns the reply of a call that returned an iterator (flags ITEMSTREAMRESULT,
 *   annotation `STRM`) into what `$call` returns. Default: a `protocol` error saying that
 *   streams are not available; the stream module installs a factory for remote iterators.
 *
 * Both are plain mutable properties of {@link proxyHooks}; assign them once at import time.
 */
import { PyroError } from "./errors.js";
import type { Proxy } from "./proxy.js";
import type { URI } from "./uri.js";

/** The replaceable steps of a proxy; see the module comment. */
export interface ProxyHooks {
  /** Resolve `uri` (the proxy's own, unbound URI) to a `PYRO:` URI to connect to. */
  resolve(uri: URI, proxy: Proxy): Promise<URI>;
  /**
   * Build the result of a call whose reply started an item stream: `streamId` is the `STRM`
   * annotation (a UUID string); `proxy` is the proxy the call was made on (its connection
   * serves `Pyro.Daemon.get_next_stream_item` / `close_stream` through `$invoke`).
   */
  stream(streamId: string, proxy: Proxy): unknown;
}

/** The hooks every proxy uses; see {@link ProxyHooks}. */
export const proxyHooks: ProxyHooks = {
  resolve(uri) {
    if (uri.protocol === "PYRO") return Promise.resolve(uri);
    return Promise.reject(
      new PyroError(
        "naming",
        `cannot resolve ${uri.toString()}: name server resolution is not available yet; ` +
          "use a PYRO: uri",
      ),
    );
  },
  stream(streamId) {
    throw new PyroError(
      "protocol",
      `the call returned an item stream (${streamId}) but remote iterators are not available; ` +
        "return a list from the server method instead",
    );
  },
};
