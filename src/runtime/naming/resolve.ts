/**
 * Turning the logical URIs into direct ones: `PYRONAME:name` through the name server's
 * `lookup`, `PYROMETA:tags` through `list(metadata_all=tags)` and a random pick among the
 * matches, as Pyro4 does. The name server is located from the URI's location, or by
 * `locateNS` when the URI has none; its connection is closed afterwards.
 */
import { config as globalConfig } from "../config.js";
import { PyroError } from "../errors.js";
import type { OpenProxy } from "../proxy/remote-object.js";
import type { Resolver } from "../proxy/session.js";
import { URI } from "../uri.js";
import { locateNameServer, type LocateOptions } from "./locate.js";

/** How to reach the name server when the URI does not say (config, HMAC key, proxy options). */
export type ResolveOptions = Omit<LocateOptions, "host" | "port">;

/**
 * The direct `PYRO:` URI for `uri`, asking the name server through proxies `open` makes; a
 * `PYRO:` URI is returned as it is.
 */
export async function resolveLogicalUri(
  uri: string | URI,
  options: ResolveOptions,
  open: OpenProxy,
): Promise<URI> {
  const nsPort = (options.config ?? options.proxyOptions?.config ?? globalConfig).get("NS_PORT");
  const logical = uri instanceof URI ? uri : new URI(uri, { nsPort });
  if (logical.protocol === "PYRO") return logical;
  const locate: LocateOptions = { ...options };
  const location = logical.sockname !== null ? `./u:${logical.sockname}` : logical.host;
  const ns = await locateNameServer(
    location === null ? locate : { ...locate, host: location, port: logical.port ?? undefined },
    open,
  );
  try {
    if (logical.protocol === "PYRONAME") return await ns.lookup(logical.object);
    const tags = [...(logical.tags ?? [])];
    const candidates = [...(await ns.list({ metadataAll: tags })).values()];
    const pick = candidates[Math.floor(Math.random() * candidates.length)];
    if (pick === undefined) {
      throw new PyroError(
        "naming",
        `no registrations available with desired metadata properties {${tags
          .map((tag) => `'${tag}'`)
          .join(", ")}}; register an object with these tags (ns.register(name, uri, ` +
          "{ metadata })) or change the PYROMETA uri",
      );
    }
    return new URI(pick);
  } finally {
    ns.release();
  }
}

/**
 * The resolve step of proxies: PYRONAME/PYROMETA through the name server, located with the
 * proxy's config, HMAC key and timeout (as in Pyro4), through proxies `open` makes.
 */
export function proxyResolver(open: OpenProxy): Resolver {
  return (uri, settings) =>
    resolveLogicalUri(
      uri,
      {
        config: settings.config,
        hmacKey: settings.hmacKey ?? null,
        proxyOptions: { timeoutMs: settings.timeoutMs },
      },
      open,
    );
}
