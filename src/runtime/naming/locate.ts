/**
 * `locateNS`: find a Pyro4 name server the way Pyro4's `locateNS` does — a direct
 * connection when a host is given; otherwise a direct try on a loopback NS_HOST, then UDP
 * discovery over BROADCAST_ADDRS, then a direct try on NS_HOST:NS_PORT.
 */
import { readFileSync } from "node:fs";
import { config as globalConfig, type PyroConfig } from "../config.js";
import { PyroError } from "../errors.js";
import type { OpenProxy } from "../proxy/remote-object.js";
import type { ProxyOptions } from "../proxy/settings.js";
import { discoverNameServer } from "./broadcast.js";
import { NAMESERVER_NAME, NameServer } from "./name-server.js";

/** Where to look for the name server, and how to talk to it. */
export interface LocateOptions {
  /** Name server host (or `./u:/path` for a Unix socket); omitted: discovery. */
  readonly host?: string;
  /**
   * Name server port (default NS_PORT). Without a host it is also the broadcast port, as
   * in Pyro4.
   */
  readonly port?: number;
  /** Use UDP discovery when no host is given (default true). */
  readonly broadcast?: boolean;
  /** HMAC key for the name server connection (`null` = none; default: HMAC_KEY). */
  readonly hmacKey?: string | Uint8Array | null;
  /** Where NS_HOST, NS_PORT, NS_BCPORT, BROADCAST_ADDRS, PREFER_IP_VERSION come from. */
  readonly config?: PyroConfig;
  /** Further options for the name server proxy (serializer, timeout, …). */
  readonly proxyOptions?: ProxyOptions;
}

/**
 * A client for a name server, reached through proxies `open` makes. A directly located one
 * is already connected; one found by broadcast connects on its first call (as in Pyro4).
 * When nothing is found this is a `naming` error that lists every attempt.
 */
export async function locateNameServer(
  options: LocateOptions,
  open: OpenProxy,
): Promise<NameServer> {
  const cfg = options.config ?? options.proxyOptions?.config ?? globalConfig;
  const proxyOptions: ProxyOptions = { ...options.proxyOptions, config: cfg };
  if (options.hmacKey !== undefined) proxyOptions.hmacKey = options.hmacKey;
  const tried: string[] = [];
  let lastError: unknown;
  /** A name server that answered and turned the connection down (serializer, HMAC key, …). */
  let refusal: PyroError | undefined;
  const direct = async (host: string, port: number): Promise<NameServer | null> => {
    const uri = nameServerUri(host, port);
    const proxy = open(uri, proxyOptions);
    try {
      await proxy.$bind();
      return new NameServer(proxy);
    } catch (error) {
      proxy.$release();
      lastError = error;
      if (refusal === undefined && isRefusal(error)) refusal = error;
      tried.push(`${uri}: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  };

  if (options.host !== undefined) {
    const found = await direct(options.host, options.port ?? cfg.get("NS_PORT"));
    if (found !== null) return found;
    throw notFound(tried, refusal ?? lastError, refusal !== undefined);
  }
  const nsHost = cfg.get("NS_HOST");
  if (isLoopback(nsHost)) {
    const hosts =
      nsHost === "127.0.1.1" || !hostsFileHas127011() ? [nsHost] : [nsHost, "127.0.1.1"];
    for (const host of hosts) {
      const found = await direct(host, options.port ?? cfg.get("NS_PORT"));
      if (found !== null) return found;
    }
  }
  if (options.broadcast !== false && cfg.get("PREFER_IP_VERSION") !== 6) {
    const addresses = cfg.get("BROADCAST_ADDRS");
    const bcPort = options.port ?? cfg.get("NS_BCPORT");
    const outcome = await discoverNameServer({ addresses, port: bcPort });
    if (outcome.uri !== null) {
      try {
        return new NameServer(open(outcome.uri, proxyOptions));
      } catch (error) {
        tried.push(`the broadcast reply '${outcome.uri}': ${String(error)}`);
      }
    } else {
      const problems = outcome.failures.length > 0 ? ` (${outcome.failures.join("; ")})` : "";
      tried.push(
        `broadcast GET_NSURI to [${addresses.join(", ")}] UDP port ${bcPort}: no reply${problems}`,
      );
    }
  }
  const found = await direct(nsHost, cfg.get("NS_PORT"));
  if (found !== null) return found;
  throw notFound(tried, refusal ?? lastError, refusal !== undefined);
}

/** `PYRO:Pyro.NameServer@host:port`, with IPv6 bracketed and `./u:` hosts as socket paths. */
function nameServerUri(host: string, port: number): string {
  if (host.startsWith("./u:")) return `PYRO:${NAMESERVER_NAME}@${host}`;
  const shown = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `PYRO:${NAMESERVER_NAME}@${shown}:${port}`;
}

/**
 * Pyro4's own test for a loopback NS_HOST, kept as it is (a plain string check), so that
 * the same hosts get the direct try first; `transport/loopback.ts` is the full one.
 */
function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}

/**
 * Pyro4 also tries 127.0.1.1 when that address has a host name (Debian puts the machine's
 * name there). Reading /etc/hosts answers that without a DNS query leaving the machine.
 */
function hostsFileHas127011(): boolean {
  try {
    return /^\s*127\.0\.1\.1\s/m.test(readFileSync("/etc/hosts", "utf8"));
  } catch {
    return false;
  }
}

/** Whether a failed connect reached a daemon that said no (rather than finding none). */
function isRefusal(error: unknown): error is PyroError {
  return (
    error instanceof PyroError &&
    (error.code === "serialize" ||
      error.code === "security" ||
      / rejected: |\bhmac\b/i.test(error.message))
  );
}

function notFound(tried: readonly string[], cause: unknown, refused: boolean): PyroError {
  // When a name server answered and refused, starting another one is not the fix.
  const advice = refused
    ? "A name server answered but refused the connection: change what it refused (see above)"
    : "Start one (python3 -m Pyro4.naming -n <host> -p <port>), pass its host and port, or " +
      "set NS_HOST/NS_PORT (PYRO_NS_HOST, PYRO_NS_PORT) or BROADCAST_ADDRS/NS_BCPORT";
  return new PyroError(
    "naming",
    `Failed to locate the nameserver; tried: ${tried.join("; ")}. ${advice}`,
    { cause },
  );
}
