/**
 * Fetch an object's metadata from a live daemon through the runtime: resolve the URI (name
 * server for PYRONAME/PYROMETA), connect, and take the metadata the handshake delivered.
 */
import { Proxy, PyroError, URI, resolveUri } from "@pyrogen/runtime";
import { normalizeMetadata, type RemoteMetadata } from "../codegen/metadata.js";
import { pyroConfigFor, type ConnectionSettings } from "./connection-options.js";
import { CliError, EXIT } from "./exit-codes.js";

/** Connect to `uri` and return its metadata, sorted and validated. */
export async function fetchMetadata(
  uri: string,
  settings: ConnectionSettings,
): Promise<RemoteMetadata> {
  const config = pyroConfigFor(settings);
  let proxy: Proxy | undefined;
  try {
    const logical = new URI(uri, { nsPort: config.get("NS_PORT") });
    const direct = await resolveUri(logical, { config, broadcast: settings.broadcast ?? true });
    proxy = new Proxy(direct, { config, metadata: true });
    await proxy.$bind();
    const metadata = proxy.$metadata;
    if (metadata === null) {
      throw new PyroError("protocol", `the daemon sent no metadata for ${direct.toString()}`);
    }
    return normalizeMetadata({
      methods: [...metadata.methods],
      oneway: [...metadata.oneway],
      attrs: [...metadata.attrs],
    });
  } catch (error) {
    throw connectFailure(uri, error);
  } finally {
    proxy?.$release();
  }
}

/** A CLI error for a failed fetch: the cause, and the flag or variable that fixes it. */
export function connectFailure(
  uri: string,
  error: unknown,
  action = "cannot get metadata from",
): CliError {
  if (error instanceof CliError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof PyroError && error.code === "uri") {
    return new CliError(`invalid URI '${uri}': ${message}`, EXIT.usage, { cause: error });
  }
  let hint = "";
  if (error instanceof PyroError && error.code === "naming") {
    hint =
      "\nhint: point pyrogen at the name server with --ns-host/--ns-port (or PYRO_NS_HOST/" +
      "PYRO_NS_PORT), put its location in the URI (PYRONAME:name@host:port), or set the " +
      "broadcast addresses with --broadcast-addrs (PYRO_BROADCAST_ADDRS)";
  } else if (error instanceof PyroError && (error.code === "security" || /hmac/i.test(message))) {
    hint = "\nhint: pass the daemon's HMAC key with --hmac-key (or PYRO_HMAC_KEY)";
  } else if (error instanceof PyroError && error.isCommunicationError) {
    hint =
      "\nhint: is the daemon running and reachable? Check the URI's host and port; a daemon " +
      "with an HMAC key needs --hmac-key (PYRO_HMAC_KEY), a TLS daemon --tls, a slow one --timeout";
  }
  return new CliError(`${action} ${uri}: ${message}${hint}`, EXIT.remote, {
    cause: error,
  });
}
