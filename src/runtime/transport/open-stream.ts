/**
 * Open the byte stream a proxy talks Pyro over: TCP (IPv4 or IPv6), a Unix domain socket,
 * or TLS over either, for a `PYRO:` URI.
 */
import { isIP, connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import type { CancelSignal } from "../cancel.js";
import { config as globalConfig, type PyroConfig } from "../config.js";
import { PyroError } from "../errors.js";
import { URI } from "../uri.js";
import { DirectReads, registerDirectReads } from "./direct-reads.js";
import { isLoopbackHost } from "./loopback.js";
import { connectError } from "./socket-errors.js";
import { clientTlsOptions, type TlsClientOptions } from "./tls-material.js";

/** Options of {@link openStream}. */
export interface OpenStreamOptions {
  /** Where defaults come from (COMMTIMEOUT, PREFER_IP_VERSION, SSL, SSL_*); default the global config. */
  readonly config?: PyroConfig;
  /** Connect timeout in ms, 0 = none; default COMMTIMEOUT (seconds) × 1000. */
  readonly timeoutMs?: number;
  /**
   * `false`: plain socket; `true`: TLS with the `SSL_*` config items; an object: TLS with
   * those settings (missing ones from the config). Default: the `SSL` config item.
   */
  readonly tls?: boolean | TlsClientOptions;
  /** Aborts the connection attempt (an `aborted` error). */
  readonly signal?: CancelSignal;
}

type Endpoint = { path: string } | { host: string; port: number; family: 0 | 4 | 6 };

/**
 * Why a Linux abstract-namespace Unix socket (a name starting with NUL, `./u:\0name` in
 * Pyro4) cannot be used: Node.js pads such an address to the full 108 bytes, while Python
 * binds and connects with the exact name, so the two never match.
 */
export const ABSTRACT_SOCKETS_UNREACHABLE =
  "Linux abstract-namespace Unix sockets cannot be used from Node.js (it pads the address " +
  "to 108 bytes, so it never matches the exact name Python uses); use a socket file path " +
  "instead (in Pyro4: Daemon(unixsocket='/run/app/pyro.sock'))";

/** True for a Unix socket name in the Linux abstract namespace. */
export function isAbstractSocketName(name: string): boolean {
  return name.startsWith("\0");
}

function endpointFor(uri: URI, cfg: PyroConfig): Endpoint {
  if (uri.sockname !== null) {
    if (isAbstractSocketName(uri.sockname)) {
      throw new PyroError(
        "communication",
        `cannot connect to ./u:${uri.sockname.replace(/\0/g, "\\0")}: ${ABSTRACT_SOCKETS_UNREACHABLE}`,
      );
    }
    return { path: uri.sockname };
  }
  const host = uri.host as string;
  // An IP literal decides its own family; a name resolves as PREFER_IP_VERSION says.
  const literal = isIP(host);
  const family = literal === 4 || literal === 6 ? literal : cfg.get("PREFER_IP_VERSION");
  return { host, port: uri.port as number, family };
}

function pyroUri(target: URI | string): URI {
  const uri = target instanceof URI ? target : new URI(target);
  if (uri.protocol !== "PYRO") {
    throw new PyroError(
      "uri",
      `cannot open a connection for ${uri.toString()}: only PYRO: uris have an address; ` +
        "resolve PYRONAME/PYROMETA uris through the name server first",
    );
  }
  return uri;
}

/**
 * A connected stream to the daemon of a `PYRO:` URI (a `tls.TLSSocket` for TLS, which is
 * also a `net.Socket`). TCP_NODELAY is set, and SO_KEEPALIVE unless the daemon is on this
 * machine (`./loopback.ts`). Failures are `communication` errors `cannot connect to
 * <location>: <cause>`; an aborted signal gives `aborted`.
 */
export function openStream(target: URI | string, options: OpenStreamOptions = {}): Promise<Socket> {
  return connectStream(target, options, false);
}

/**
 * {@link openStream} for pyrogen's own connections: a plain socket delivers its bytes
 * through `directReadsOf` (`./direct-reads.ts`) instead of `data` events (a TLS socket
 * keeps its events).
 */
export function openDirectStream(
  target: URI | string,
  options: OpenStreamOptions = {},
): Promise<Socket> {
  return connectStream(target, options, true);
}

async function connectStream(
  target: URI | string,
  options: OpenStreamOptions,
  direct: boolean,
): Promise<Socket> {
  const uri = pyroUri(target);
  const cfg = options.config ?? globalConfig;
  const location = uri.location as string;
  const timeoutMs = options.timeoutMs ?? Math.round(cfg.get("COMMTIMEOUT") * 1000);
  const useTls = options.tls === undefined ? cfg.get("SSL") : options.tls !== false;
  const endpoint = endpointFor(uri, cfg);

  let socket: Socket;
  let readyEvent: "connect" | "secureConnect";
  if (useTls) {
    const given = typeof options.tls === "object" ? options.tls : {};
    const tlsOptions = await clientTlsOptions(given, cfg);
    // SNI and certificate checks use the host name; Node refuses IP addresses as SNI names.
    const servername =
      tlsOptions.servername ??
      ("host" in endpoint && isIP(endpoint.host) === 0 ? endpoint.host : undefined);
    socket = tlsConnect({ ...endpoint, ...tlsOptions, ...(servername ? { servername } : {}) });
    readyEvent = "secureConnect";
  } else if (direct) {
    const reads = new DirectReads();
    socket = netConnect({ ...endpoint, onread: reads.onread });
    registerDirectReads(socket, reads);
    readyEvent = "connect";
  } else {
    socket = netConnect(endpoint);
    readyEvent = "connect";
  }
  await waitUntilOpen(socket, readyEvent, location, timeoutMs, options.signal);
  // Pipelined calls write several small messages back to back; with Nagle on, a write
  // after an unacknowledged one waits for the peer's delayed ACK (up to ~40 ms per call).
  socket.setNoDelay(true);
  if ("host" in endpoint && !isLoopbackHost(endpoint.host)) socket.setKeepAlive(true);
  return socket;
}

function waitUntilOpen(
  socket: Socket,
  readyEvent: "connect" | "secureConnect",
  location: string,
  timeoutMs: number,
  signal: CancelSignal | undefined,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off(readyEvent, onReady);
      socket.off("error", onError);
      signal?.removeEventListener("abort", onAbort);
    };
    const fail = (error: PyroError): void => {
      cleanup();
      // A late error from the abandoned socket must not become an uncaught exception.
      socket.on("error", () => undefined);
      socket.destroy();
      reject(error);
    };
    const onReady = (): void => {
      cleanup();
      resolve();
    };
    const onError = (error: Error): void => fail(connectError(location, error));
    const onAbort = (): void =>
      fail(
        new PyroError("aborted", `connecting to ${location} was aborted`, {
          cause: signal?.reason,
        }),
      );
    // Also covers a signal that fired while the TLS files were read.
    if (signal?.aborted === true) {
      onAbort();
      return;
    }
    socket.once(readyEvent, onReady);
    socket.once("error", onError);
    signal?.addEventListener("abort", onAbort, { once: true });
    if (timeoutMs > 0) {
      timer = setTimeout(
        () =>
          fail(
            connectError(
              location,
              new Error(`timed out after ${timeoutMs} ms (COMMTIMEOUT or the timeout option)`),
            ),
          ),
        timeoutMs,
      );
    }
  });
}
