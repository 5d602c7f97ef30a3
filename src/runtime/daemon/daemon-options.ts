/**
 * What `Daemon.start` accepts — its options, the handshake validator and logger types — and
 * their checks: the numeric limits, the accepted serializers, the HMAC key.
 */
import type { PeerCertificate } from "node:tls";
import { config as globalConfig, type PyroConfig } from "../config.js";
import { PyroError } from "../errors.js";
import { inflateLimit } from "../protocol/compression.js";
import type { WireProtocol } from "../protocol/wire-protocol.js";
import type { ClassRegistry } from "../serializers/class-registry.js";
import { isSerializerName, SERIALIZER_NAMES, type SerializerName } from "../serializers/catalog.js";
import type { TlsServerOptions } from "../transport/tls-material.js";
import type { ClientAddress } from "./context.js";

/** What a custom handshake validator learns about the connecting client. */
export interface HandshakeInfo {
  readonly client: ClientAddress;
  /** The client's TLS certificate (two-way TLS), or `null`. */
  readonly peerCertificate: PeerCertificate | null;
}

/** Validates a client's `handshake` value; returns the value to send back, throws to refuse. */
export type DaemonHandshakeValidator = (handshake: unknown, info: HandshakeInfo) => unknown;

/** Receives what the daemon logs: callback exceptions, failed oneway calls, dropped connections. */
export type DaemonLogger = (message: string, error: unknown) => void;

/** Options of `Daemon.start`. */
export interface DaemonOptions {
  /** Address to listen on (default: the `HOST` config item; e.g. `127.0.0.1`, `::1`). */
  readonly host?: string;
  /** Port (default 0: any free port). */
  readonly port?: number;
  /** Listen on this Unix socket path instead of TCP. */
  readonly unixSocket?: string;
  /** Host name put in the URIs handed out, when it differs from `host` (e.g. behind NAT). */
  readonly advertiseHost?: string;
  /** Serve over TLS: `true` (the SSL_* config items) or settings (default: the `SSL` item). */
  readonly tls?: boolean | TlsServerOptions;
  /** Where defaults come from (default: the global config). */
  readonly config?: PyroConfig;
  /** Serializers accepted from clients (default all four pyrogen speaks). */
  readonly serializers?: readonly SerializerName[];
  /**
   * Serializer named in the Proxy dicts of registered objects when the encoding serializer
   * is not accepted here (default: the `SERIALIZER` config item).
   */
  readonly serializer?: SerializerName;
  /** Verify and sign every message with this HMAC key, also put in the Proxy dicts (default: `HMAC_KEY`). */
  readonly hmacKey?: string | Uint8Array;
  /** Compress replies of 200 bytes or more when that makes them smaller (default: `COMPRESSION`). */
  readonly compression?: boolean;
  /** Refuse (by closing the connection) messages larger than this many bytes; 0 = no limit (default: `MAX_MESSAGE_SIZE`). */
  readonly maxMessageSize?: number;
  /**
   * The most a compressed request may inflate to; a larger one closes its connection. 0 = no
   * limit (default: `maxMessageSize` when set, else 64 MiB).
   */
  readonly maxInflatedSize?: number;
  /**
   * Close a connection whose client sends nothing, or reads nothing of its replies, for this
   * many ms, as Pyro4's daemon does with COMMTIMEOUT; a method that runs longer is not cut
   * short. 0 = never (default: COMMTIMEOUT × 1000, which is 0 unless set).
   */
  readonly timeoutMs?: number;
  /**
   * Serve at most this many connections at once; a client over the cap is refused with a
   * CONNECTFAIL "no free workers…", as by Pyro4's thread-pool daemon. 0 = no cap (default).
   */
  readonly maxConnections?: number;
  /** The handshake value Python proxies built from this daemon's Proxy dicts send (default "hello"). */
  readonly handshake?: unknown;
  /** Check a client's handshake value and return the reply value; throw to refuse the connection. */
  readonly validateHandshake?: DaemonHandshakeValidator;
  /** Serve returned iterators as item streams (default: `ITER_STREAMING`). */
  readonly itemStreaming?: boolean;
  /**
   * Keep `currentCall()` available after `await`s in exposed methods (default false: only
   * before the first `await`). Uses AsyncLocalStorage, which slows every promise in the process.
   */
  readonly asyncCallContext?: boolean;
  /** Max age of an item stream in ms (default 0 = unlimited). */
  readonly streamLifetimeMs?: number;
  /** How long a stream outlives its connection, ms (default 30000, as Pyro's ITER_STREAM_LINGER). */
  readonly streamLingerMs?: number;
  /** Where callback exceptions and failed oneway calls are logged (default `console.error`). */
  readonly logger?: DaemonLogger;
  /** The class registry of the daemon's serializers (default a fresh one); it gets the proxy hooks. */
  readonly registry?: ClassRegistry;
}

/** The HMAC key as bytes (a string is UTF-8). */
export function toKey(key: string | Uint8Array | undefined): Uint8Array | undefined {
  if (key === undefined) return undefined;
  return typeof key === "string" ? Buffer.from(key, "utf8") : key;
}

/** The wire ids of the accepted serializers; a `config` error names an unknown one. */
export function acceptedIds(options: DaemonOptions, protocol: WireProtocol): Set<number> {
  const names = options.serializers ?? SERIALIZER_NAMES;
  for (const name of names) {
    if (!isSerializerName(name)) {
      throw new PyroError(
        "config",
        `serializer '${String(name)}' is unknown or not accepted by pyrogen; use ${SERIALIZER_NAMES.join(", ")}`,
      );
    }
  }
  return new Set(names.map((name) => protocol.serializers.id(name)));
}

/** The numeric limits of a daemon's connections, from its options and config. */
export interface DaemonLimits {
  readonly maxConnections: number;
  readonly maxMessageSize: number;
  readonly inflateLimit: number;
  readonly timeoutMs: number;
}

/** The limits, each checked (a `config` error names a bad one). */
export function limitsOf(options: DaemonOptions): DaemonLimits {
  const cfg = options.config ?? globalConfig;
  const maxMessageSize = checkCount(
    options.maxMessageSize ?? cfg.get("MAX_MESSAGE_SIZE"),
    "maxMessageSize",
  );
  const maxInflatedSize = options.maxInflatedSize;
  return {
    maxConnections: checkCount(options.maxConnections ?? 0, "maxConnections"),
    maxMessageSize,
    inflateLimit: inflateLimit(
      maxMessageSize,
      maxInflatedSize === undefined ? undefined : checkCount(maxInflatedSize, "maxInflatedSize"),
    ),
    timeoutMs: checkCount(
      options.timeoutMs ?? Math.round(cfg.get("COMMTIMEOUT") * 1000),
      "timeoutMs",
    ),
  };
}

/** `value` if it is an integer >= 0, else a `config` error naming the option. */
function checkCount(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new PyroError("config", `invalid ${what}=${String(value)}: must be an integer >= 0`);
  }
  return value;
}
