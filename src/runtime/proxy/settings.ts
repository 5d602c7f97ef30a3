/**
 * A proxy's settings: its options and its config turned into one validated, frozen
 * {@link ProxySettings}. A change (`proxy.$timeout = …`) makes a new one; a copy, an async
 * call's proxy and a received proxy are made from one ({@link settingsOptions}).
 */
import type { PeerCertificate } from "node:tls";
import {
  checkTimeout,
  correlationBytes,
  toAnnotationMap,
  type AnnotationsFunction,
  type AnnotationsOption,
} from "../call-options.js";
import { config as globalConfig, type PyroConfig } from "../config.js";
import { PyroError } from "../errors.js";
import type { ObjectMetadata } from "../metadata.js";
import type { WireProtocol } from "../protocol/wire-protocol.js";
import type { ClassRegistry } from "../serializers/class-registry.js";
import { createSerializer, isSerializerName, SERIALIZER_NAMES } from "../serializers/index.js";
import type { Serializer, SerializerName } from "../serializers/serializer.js";
import type { TlsClientOptions } from "../transport/tls-material.js";
import { URI } from "../uri.js";

/** What a {@link ProxyHandshakeValidator} learns about the new connection. */
export interface HandshakeConnection {
  /** The `PYRO:` URI connected to. */
  readonly uri: URI;
  /**
   * The daemon's TLS certificate (Pyro4's `_pyroConnection.getpeercert()`), to pin its
   * serial number or subject; `null` without TLS.
   */
  readonly peerCertificate: PeerCertificate | null;
}

/**
 * Validates the daemon's handshake response (and, through `connection`, its TLS
 * certificate); throw (or reject) to refuse the connection.
 */
export type ProxyHandshakeValidator = (
  response: unknown,
  connection: HandshakeConnection,
) => void | Promise<void>;

/** Options of a proxy; what is left out comes from `config` (the global one by default). */
export interface ProxyOptions {
  /** serpent (default: SERIALIZER), json, marshal or msgpack. */
  serializer?: SerializerName;
  /**
   * The Pyro generation of the daemon: 4 or 5, or 0 to detect it on connect (default:
   * PROTOCOL, whose default is 0). Detection tries the generation remembered for the address,
   * else Pyro4; a daemon of the other one costs one extra round trip, once per address.
   */
  protocol?: 0 | 4 | 5;
  /**
   * Timeout in ms, 0 = none (default: COMMTIMEOUT × 1000): for connecting, and for replies
   * as an inactivity timeout (calls fail when no reply data arrived for this long while they
   * waited, as Pyro4's socket timeout). For a hard deadline on one call pass
   * `signal: AbortSignal.timeout(ms)`.
   */
  timeoutMs?: number;
  /**
   * Re-send a call this many times after it failed with a lost connection or a timeout
   * (default: MAX_RETRIES). Beware: the daemon may then execute the call more than once.
   */
  maxRetries?: number;
  /** HMAC key shared with the daemon (default: HMAC_KEY); `null` = none. */
  hmacKey?: string | Uint8Array | null;
  /** The handshake value sent in CONNECT (default `"hello"`). */
  handshake?: unknown;
  /**
   * Checks the daemon's handshake response and the connection (its TLS `peerCertificate`,
   * to pin it); a failure closes the connection with a `communication` error.
   */
  validateHandshake?: ProxyHandshakeValidator;
  /** Ask for and use the object's metadata (default: METADATA); `false` = METADATA off. */
  metadata?: boolean;
  /** Metadata known beforehand (a snapshot, an auto-proxy); replaced on connect. */
  knownMetadata?: ObjectMetadata;
  /** Compress outgoing payloads of 200 bytes or more (default: COMPRESSION). */
  compression?: boolean;
  /** Refuse messages larger than this in either direction, 0 = no limit (default: MAX_MESSAGE_SIZE). */
  maxMessageSize?: number;
  /**
   * The most a compressed reply may inflate to, 0 = no limit (default: `maxMessageSize` when
   * that is set, else 64 MiB). A larger one fails with `message-too-large`.
   */
  maxInflatedSize?: number;
  /** TLS: `true` (the SSL_* items), settings, or `false` (default: SSL). */
  tls?: boolean | TlsClientOptions;
  /**
   * Class (de)serialization hooks. The proxy reads them live (hooks registered later apply)
   * and adds its own for received proxies on top, without changing this registry.
   */
  registry?: ClassRegistry;
  /** A UUID sent as correlation id (`CORR`) with every request; `null` = none. */
  correlationId?: string | null;
  /**
   * Custom annotations sent with every request; a function is called for each request
   * (Pyro4's overridable `_pyroAnnotations()`), e.g. to send the current user or a token.
   */
  annotations?: AnnotationsOption;
  /** Where defaults are read from (default: the global `config`). */
  config?: PyroConfig;
}

/** Every setting of a proxy, validated; frozen, so a change makes a new one. */
export interface ProxySettings {
  /** The URI as given (a `PYRONAME:` one is resolved by the session). */
  readonly uri: URI;
  readonly config: PyroConfig;
  /** The protocol configured, or (with `detect`) the first guess for a new address. */
  readonly protocol: WireProtocol;
  /** Every protocol the proxy can speak (the first is the default guess). */
  readonly protocols: readonly WireProtocol[];
  /** Whether the generation is detected on connect (PROTOCOL 0). */
  readonly detect: boolean;
  /** The registry the user gave, if any (copies derive theirs from it). */
  readonly registry: ClassRegistry | undefined;
  /** The serializer, on the proxy's own registry. */
  readonly serializer: Serializer;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly hmacKey: Uint8Array | undefined;
  readonly handshake: unknown;
  readonly validateHandshake: ProxyHandshakeValidator | undefined;
  /** Whether metadata is asked for and used (METADATA). */
  readonly metadata: boolean;
  readonly compression: boolean;
  readonly maxMessageSize: number;
  readonly maxInflatedSize: number | undefined;
  readonly tls: boolean | TlsClientOptions | undefined;
  readonly correlationId: string | null;
  /** The correlation id's 16 bytes, `undefined` without one. */
  readonly correlation: Uint8Array | undefined;
  /** Annotations sent with every request: fixed, or a function called per request. */
  readonly annotations: Map<string, Uint8Array> | AnnotationsFunction;
}

const DEFAULT_HANDSHAKE = "hello";

/**
 * The settings of a proxy for `uri`: `options` first, then `config` (`options.config`, else
 * the global one). `registry` is the proxy's own (its serializer's); `protocols` the
 * generations it can speak, the default first. A bad value is a `config` error naming the
 * option.
 */
export function proxySettings(
  uri: string | URI,
  options: ProxyOptions,
  registry: ClassRegistry,
  protocols: readonly WireProtocol[],
): ProxySettings {
  const cfg = options.config ?? globalConfig;
  const parsed =
    typeof uri === "string" ? URI.parse(uri, { nsPort: cfg.get("NS_PORT") }) : new URI(uri);
  const serializer = makeSerializer(options.serializer ?? cfg.get("SERIALIZER"), registry);
  const correlationId = options.correlationId ?? null;
  const generation = checkGeneration(options.protocol ?? cfg.get("PROTOCOL"));
  return Object.freeze({
    uri: parsed,
    config: cfg,
    protocol:
      generation === 0 ? protocols[0]! : protocols.find((p) => p.generation === generation)!,
    protocols,
    detect: generation === 0,
    registry: options.registry,
    serializer,
    timeoutMs: checkTimeout(options.timeoutMs ?? cfg.get("COMMTIMEOUT") * 1000, "timeoutMs"),
    maxRetries: checkRetries(options.maxRetries ?? cfg.get("MAX_RETRIES")),
    hmacKey: toKey(options.hmacKey === undefined ? cfg.get("HMAC_KEY") : options.hmacKey),
    handshake: options.handshake === undefined ? DEFAULT_HANDSHAKE : options.handshake,
    validateHandshake: options.validateHandshake,
    metadata: options.metadata ?? cfg.get("METADATA"),
    compression: options.compression ?? cfg.get("COMPRESSION"),
    maxMessageSize: checkSize(
      options.maxMessageSize ?? cfg.get("MAX_MESSAGE_SIZE"),
      "maxMessageSize",
    ),
    maxInflatedSize:
      options.maxInflatedSize === undefined
        ? undefined
        : checkSize(options.maxInflatedSize, "maxInflatedSize"),
    tls: options.tls,
    correlationId,
    correlation: correlationId === null ? undefined : correlationBytes(correlationId),
    annotations: annotationsSetting(options.annotations),
  });
}

/** The options that make a proxy with these settings (and `metadata`, when known). */
export function settingsOptions(
  settings: ProxySettings,
  metadata: ObjectMetadata | null,
): ProxyOptions {
  return {
    serializer: settings.serializer.name,
    protocol: settings.detect ? 0 : (settings.protocol.generation as 4 | 5),
    timeoutMs: settings.timeoutMs,
    maxRetries: settings.maxRetries,
    hmacKey: settings.hmacKey ?? null,
    handshake: settings.handshake,
    ...(settings.validateHandshake === undefined
      ? {}
      : { validateHandshake: settings.validateHandshake }),
    metadata: settings.metadata,
    ...(metadata === null ? {} : { knownMetadata: metadata }),
    compression: settings.compression,
    maxMessageSize: settings.maxMessageSize,
    ...(settings.maxInflatedSize === undefined
      ? {}
      : { maxInflatedSize: settings.maxInflatedSize }),
    ...(settings.tls === undefined ? {} : { tls: settings.tls }),
    ...(settings.registry === undefined ? {} : { registry: settings.registry }),
    correlationId: settings.correlationId,
    annotations: settings.annotations,
    config: settings.config,
  };
}

/** What the proxy's setters may change. */
export interface SettingsChange {
  timeoutMs?: number;
  maxRetries?: number;
  serializer?: SerializerName;
  hmacKey?: string | Uint8Array | null;
  handshake?: unknown;
  correlationId?: string | null;
  annotations?: AnnotationsOption;
}

/** `settings` with one change, validated as the matching `$` setter names it. */
export function changeSettings(settings: ProxySettings, change: SettingsChange): ProxySettings {
  const next: { -readonly [K in keyof ProxySettings]: ProxySettings[K] } = { ...settings };
  if (change.timeoutMs !== undefined) next.timeoutMs = checkTimeout(change.timeoutMs, "$timeout");
  if (change.maxRetries !== undefined) next.maxRetries = checkRetries(change.maxRetries);
  if (change.serializer !== undefined) {
    next.serializer = makeSerializer(change.serializer, settings.serializer.registry);
  }
  if ("hmacKey" in change) next.hmacKey = toKey(change.hmacKey ?? null);
  if ("handshake" in change) next.handshake = change.handshake;
  if (change.correlationId !== undefined) {
    next.correlation =
      change.correlationId === null ? undefined : correlationBytes(change.correlationId);
    next.correlationId = change.correlationId;
  }
  if (change.annotations !== undefined) next.annotations = annotationsSetting(change.annotations);
  return Object.freeze(next);
}

/** Fixed annotations checked now; a function is kept and called per request. */
function annotationsSetting(
  option: AnnotationsOption | undefined,
): Map<string, Uint8Array> | AnnotationsFunction {
  return typeof option === "function" ? option : toAnnotationMap(option);
}

/** The annotations of one request under `settings` (a function's are computed now). */
export function settingsAnnotations(settings: ProxySettings): Map<string, Uint8Array> {
  const { annotations } = settings;
  return typeof annotations === "function" ? toAnnotationMap(annotations) : annotations;
}

function makeSerializer(name: string, registry: ClassRegistry): Serializer {
  if (!isSerializerName(name)) {
    throw new PyroError(
      "config",
      `invalid serializer '${name}': must be one of ${SERIALIZER_NAMES.join(", ")}`,
    );
  }
  return createSerializer(name, registry);
}

function toKey(key: string | Uint8Array | null): Uint8Array | undefined {
  if (key === null) return undefined;
  if (typeof key === "string") return key === "" ? undefined : Buffer.from(key, "utf8");
  if (key instanceof Uint8Array) return key.length === 0 ? undefined : key;
  throw new PyroError("config", "invalid hmacKey: must be a string, a Uint8Array or null");
}

function checkGeneration(value: unknown): 0 | 4 | 5 {
  if (value === 0 || value === 4 || value === 5) return value;
  throw new PyroError(
    "config",
    `invalid protocol=${String(value)}: must be 4 (Pyro4), 5 (Pyro5) or 0 (detect on connect)`,
  );
}

function checkRetries(value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new PyroError("config", `invalid maxRetries=${String(value)}: must be an integer >= 0`);
  }
  return value;
}

function checkSize(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new PyroError(
      "config",
      `invalid ${what}=${String(value)}: must be an integer >= 0 (0 = no limit)`,
    );
  }
  return value;
}
