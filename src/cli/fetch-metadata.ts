/**
 * Fetch an object's metadata from a live daemon through the runtime: resolve the URI (name
 * server for PYRONAME/PYROMETA), connect (detecting the Pyro generation), and take the
 * metadata the handshake delivered.
 */
import { PyroProxy, PyroError, URI, resolveUri } from "@pyrogen/runtime";
import { normalizeMetadata, type RemoteMetadata } from "../codegen/metadata.js";
import { connectFailure } from "./connect-failure.js";
import { pyroConfigFor, type ConnectionSettings } from "./connection-options.js";

/** What a live daemon reported: its metadata and the Pyro generation (4, 5) it speaks. */
export interface FetchedMetadata {
  readonly metadata: RemoteMetadata;
  readonly protocol: number;
}

/** Connect to `uri` and return its metadata, sorted and validated. */
export async function fetchMetadata(
  uri: string,
  settings: ConnectionSettings,
): Promise<RemoteMetadata> {
  return (await fetchRemote(uri, settings)).metadata;
}

/** Connect to `uri` and return its metadata (sorted and validated) and generation. */
export async function fetchRemote(
  uri: string,
  settings: ConnectionSettings,
): Promise<FetchedMetadata> {
  const config = pyroConfigFor(settings);
  let proxy: PyroProxy | undefined;
  try {
    const logical = new URI(uri, { nsPort: config.get("NS_PORT") });
    const direct = await resolveUri(logical, { config, broadcast: settings.broadcast ?? true });
    proxy = new PyroProxy(direct, {
      config,
      metadata: true,
      ...(settings.handshake === undefined ? {} : { handshake: settings.handshake }),
    });
    await proxy.$bind();
    const metadata = proxy.$metadata;
    if (metadata === null) {
      throw new PyroError("protocol", `the daemon sent no metadata for ${direct.toString()}`);
    }
    const normalized = normalizeMetadata({
      methods: [...metadata.methods],
      oneway: [...metadata.oneway],
      attrs: [...metadata.attrs],
    });
    return { metadata: normalized, protocol: proxy.$protocol ?? 4 };
  } catch (error) {
    throw connectFailure(uri, error, settings);
  } finally {
    proxy?.$release();
  }
}
