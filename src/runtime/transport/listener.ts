/**
 * The listening side for pyrogen's callback daemon: a TCP (IPv4/IPv6), Unix-socket or TLS
 * server whose accepted sockets are handed over ready to use.
 */
import { lookup } from "node:dns/promises";
import { createServer as createNetServer, isIP, type Server, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { config as globalConfig, type PyroConfig } from "../config.js";
import { PyroError } from "../errors.js";
import { isLoopbackHost } from "./loopback.js";
import { describeSocketError } from "./socket-errors.js";
import { serverTlsOptions, type TlsServerOptions } from "./tls-material.js";

/** Options of {@link createListener}. */
export interface ListenOptions {
  /** Host name or IP address to bind (default: the `HOST` config item). */
  readonly host?: string;
  /** TCP port, 0 = any free one (default 0). */
  readonly port?: number;
  /** Listen on this Unix socket path instead of TCP. */
  readonly unixPath?: string;
  /** `true` or an object: TLS (see {@link TlsServerOptions}); default the `SSL` config item. */
  readonly tls?: boolean | TlsServerOptions;
  /** Where defaults come from; default the global config. */
  readonly config?: PyroConfig;
}

/** A listening server. */
export interface Listener {
  /** The Node server (a `tls.Server` for TLS). */
  readonly server: Server;
  /** The host as given (or from the config), `null` for a Unix socket. */
  readonly host: string | null;
  /** The bound TCP port (the real one when 0 was asked), `null` for a Unix socket. */
  readonly port: number | null;
  /** The Unix socket path, or `null`. */
  readonly unixPath: string | null;
  /** The URI location: `host:port`, `[ipv6]:port` or `./u:path`. */
  readonly location: string;
  /** Stop accepting connections (open ones stay open). */
  close(): Promise<void>;
}

/** A host name resolved as PREFER_IP_VERSION says; IP literals stay as they are. */
async function bindAddress(host: string, cfg: PyroConfig): Promise<string> {
  if (isIP(host) !== 0) return host;
  try {
    return (await lookup(host, { family: cfg.get("PREFER_IP_VERSION") })).address;
  } catch (error) {
    throw new PyroError(
      "communication",
      `cannot listen on ${host}: ${describeSocketError(error)}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Listen for Pyro connections and pass every accepted socket (after the TLS handshake, for
 * TLS) to `onConnection`, with TCP_NODELAY set, and SO_KEEPALIVE unless the listener is on
 * a loopback address (`./loopback.ts`: its clients are on this machine). Bind failures are
 * `communication` errors naming the address.
 */
export async function createListener(
  options: ListenOptions,
  onConnection: (socket: Socket) => void,
): Promise<Listener> {
  const cfg = options.config ?? globalConfig;
  const useTls = options.tls === undefined ? cfg.get("SSL") : options.tls !== false;
  // Set once the address is known, before anything is accepted.
  let keepAlive = false;
  const accept = (socket: Socket): void => {
    socket.setNoDelay(true);
    if (keepAlive) socket.setKeepAlive(true);
    onConnection(socket);
  };
  let server: Server;
  if (useTls) {
    const given = typeof options.tls === "object" ? options.tls : {};
    server = createTlsServer(await serverTlsOptions(given, cfg), accept);
    // A failed handshake only concerns that client; Node already destroyed its socket.
    server.on("tlsClientError", () => undefined);
  } else {
    server = createNetServer(accept);
  }

  const unixPath = options.unixPath ?? null;
  const host = unixPath === null ? (options.host ?? cfg.get("HOST")) : null;
  const wanted = unixPath ?? `${host}:${options.port ?? 0}`;
  const bindTo =
    unixPath === null
      ? { host: await bindAddress(host as string, cfg), port: options.port ?? 0 }
      : { path: unixPath };
  keepAlive = bindTo.host !== undefined && !isLoopbackHost(bindTo.host);
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void =>
      reject(
        new PyroError(
          "communication",
          `cannot listen on ${wanted}: ${describeSocketError(error)}`,
          {
            cause: error,
          },
        ),
      );
    server.once("error", onError);
    server.listen(bindTo, () => {
      server.off("error", onError);
      resolve();
    });
  });

  const address = server.address();
  const port = unixPath === null && typeof address === "object" && address ? address.port : null;
  const location =
    unixPath !== null
      ? `./u:${unixPath}`
      : `${(host as string).includes(":") ? `[${host}]` : host}:${String(port)}`;
  return {
    server,
    host,
    port,
    unixPath,
    location,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  };
}
