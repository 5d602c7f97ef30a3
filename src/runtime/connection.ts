/**
 * Opening one proxy connection: the byte stream (TCP, Unix socket, TLS), the message
 * channel on top of it, and the CONNECT handshake. Used by the proxy for every (re)connect.
 */
import { TLSSocket, type PeerCertificate } from "node:tls";
import type { CancelSignal } from "./cancel.js";
import type { PyroConfig } from "./config.js";
import { PyroError } from "./errors.js";
import {
  connectMessage,
  connectFailReason,
  readConnectReply,
  refusedSerializerId,
  connectRejected,
  type HandshakeResult,
} from "./handshake.js";
import { MessageChannel } from "./protocol/channel.js";
import { MessageType } from "./protocol/constants.js";
import { SERIALIZER_NAMES, createSerializer } from "./serializers/index.js";
import type { Serializer } from "./serializers/serializer.js";
import { openDirectStream } from "./transport/open-stream.js";
import type { TlsClientOptions } from "./transport/tls-material.js";
import type { URI } from "./uri.js";

/** Everything needed to open and handshake one connection. */
export interface ConnectSettings {
  /** The resolved `PYRO:` URI. */
  readonly uri: URI;
  readonly serializer: Serializer;
  /** The proxy's current sequence number (CONNECT reuses it; spec 2.4). */
  readonly seq: number;
  readonly handshake: unknown;
  /** Ask for the object's metadata (META_ON_CONNECT). */
  readonly metadata: boolean;
  readonly hmacKey: Uint8Array | undefined;
  readonly compression: boolean;
  readonly maxMessageSize: number;
  readonly maxInflatedSize: number | undefined;
  readonly tls: boolean | TlsClientOptions | undefined;
  readonly config: PyroConfig;
  /** For the socket connect and for the CONNECTOK, each; 0 = none. */
  readonly timeoutMs: number;
  readonly signal: CancelSignal | undefined;
  /** Request annotations (CORR, custom ones). */
  readonly annotations: Map<string, Uint8Array>;
}

/** An open, handshaken connection. */
export interface Connection extends HandshakeResult {
  readonly channel: MessageChannel;
  /** The URI it is connected to. */
  readonly uri: URI;
  /** The daemon's TLS certificate, `null` without TLS. */
  readonly peerCertificate: PeerCertificate | null;
  /** The annotations of the CONNECTOK. */
  readonly annotations: ReadonlyMap<string, Uint8Array>;
}

/** Open a connection and perform the handshake; on failure nothing stays open. */
export async function openConnection(settings: ConnectSettings): Promise<Connection> {
  const { uri, serializer } = settings;
  const location = uri.location ?? uri.toString();
  const { channel, peerCertificate } = await openChannel(settings);
  try {
    const request = connectMessage(
      serializer,
      settings.seq,
      settings.handshake,
      settings.metadata ? uri.object : null,
      settings.annotations,
    );
    let reply;
    try {
      reply = await channel.request(request, {
        timeoutMs: settings.timeoutMs,
        signal: settings.signal,
      });
    } catch (error) {
      throw whileConnecting(location, error);
    }
    if (reply.type === MessageType.CONNECTFAIL) {
      const reason = connectFailReason(reply);
      const accepted =
        refusedSerializerId(reason) === null ? undefined : await acceptedSerializers(settings);
      throw connectRejected(location, reason, serializer, accepted);
    }
    return {
      channel,
      uri,
      peerCertificate,
      annotations: reply.annotations,
      ...readConnectReply(reply, serializer, location, uri.object),
    };
  } catch (error) {
    channel.close();
    throw error;
  }
}

async function openChannel(
  settings: ConnectSettings,
): Promise<{ channel: MessageChannel; peerCertificate: PeerCertificate | null }> {
  const stream = await openDirectStream(settings.uri, {
    config: settings.config,
    timeoutMs: settings.timeoutMs,
    ...(settings.tls === undefined ? {} : { tls: settings.tls }),
    ...(settings.signal === undefined ? {} : { signal: settings.signal }),
  });
  const channel = new MessageChannel(stream, {
    hmacKey: settings.hmacKey,
    maxMessageSize: settings.maxMessageSize,
    maxInflatedSize: settings.maxInflatedSize,
    compress: settings.compression,
  });
  return { channel, peerCertificate: peerCertificateOf(stream) };
}

/** The daemon's certificate (Node gives an empty object when there is none). */
function peerCertificateOf(stream: object): PeerCertificate | null {
  if (!(stream instanceof TLSSocket)) return null;
  const certificate = stream.getPeerCertificate(true);
  return Object.keys(certificate).length > 0 ? certificate : null;
}

/**
 * Name the connection in errors raised while waiting for the CONNECTOK. An HMAC problem is a
 * `communication` error there, as in Pyro4 (its CommunicationError "cannot connect to …").
 */
function whileConnecting(location: string, error: unknown): unknown {
  if (!(error instanceof PyroError)) return error;
  if (error.code === "security") {
    return new PyroError(
      "communication",
      `cannot connect to ${location}: ${error.message} (set the same hmacKey as the daemon's, ` +
        "or none if it has none)",
      { cause: error },
    );
  }
  if (error.code === "connection-closed" || error.code === "timeout") {
    return new PyroError(error.code, `while connecting to ${location}: ${error.message}`, {
      cause: error,
    });
  }
  return error;
}

/**
 * Which serializers the daemon accepts, found by a CONNECT in each one on a fresh
 * connection (the daemon itself never says). Only run after a refusal, to name the fix.
 */
async function acceptedSerializers(settings: ConnectSettings): Promise<string[]> {
  const probes = SERIALIZER_NAMES.map(async (name): Promise<string | null> => {
    if (name === settings.serializer.name) return null;
    const serializer = createSerializer(name);
    let channel: MessageChannel | undefined;
    try {
      ({ channel } = await openChannel({ ...settings, serializer, signal: undefined }));
      const reply = await channel.request(
        connectMessage(serializer, 0, settings.handshake, null, new Map()),
        { timeoutMs: settings.timeoutMs > 0 ? settings.timeoutMs : 5000 },
      );
      const refused =
        reply.type === MessageType.CONNECTFAIL &&
        refusedSerializerId(connectFailReason(reply)) !== null;
      return refused ? null : name;
    } catch {
      return null;
    } finally {
      channel?.close();
    }
  });
  return (await Promise.all(probes)).filter((name): name is string => name !== null);
}
