/**
 * Opening one proxy connection: the byte stream (TCP, Unix socket, TLS), the message
 * channel on top of it, and the CONNECT handshake in the proxy's protocol. Used by the
 * session for every (re)connect.
 */
import { TLSSocket, type PeerCertificate } from "node:tls";
import type { CancelSignal } from "../cancel.js";
import { PyroError } from "../errors.js";
import { MessageChannel } from "../protocol/channel.js";
import { MessageType } from "../protocol/constants.js";
import { stderrWireLogger } from "../protocol/wire-log.js";
import type { HandshakeResult } from "../protocol/wire-protocol.js";
import { SERIALIZER_NAMES, createSerializer } from "../serializers/index.js";
import { directReadsOf } from "../transport/direct-reads.js";
import { openDirectStream } from "../transport/open-stream.js";
import type { URI } from "../uri.js";
import { connectRejected } from "./connect-errors.js";
import type { ProxySettings } from "./settings.js";

/** Where and when to connect. */
export interface ConnectTarget {
  /** The resolved `PYRO:` URI. */
  readonly uri: URI;
  /** The proxy's current sequence number (CONNECT reuses it). */
  readonly seq: number;
  /** For the socket connect and for the CONNECTOK, each; 0 = none. */
  readonly timeoutMs: number;
  readonly signal: CancelSignal | undefined;
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
export async function openConnection(
  settings: ProxySettings,
  target: ConnectTarget,
): Promise<Connection> {
  const { serializer, protocol } = settings;
  const uri = target.uri;
  const location = uri.location ?? uri.toString();
  const { channel, peerCertificate } = await openChannel(settings, target);
  try {
    const request = protocol.handshake.request({
      serializer,
      seq: target.seq,
      handshake: settings.handshake,
      objectId: settings.metadata ? uri.object : null,
      annotations: settings.annotations,
      correlationId: settings.correlation,
    });
    let reply;
    try {
      reply = await channel.request(request, {
        timeoutMs: target.timeoutMs,
        signal: target.signal,
      });
    } catch (error) {
      throw whileConnecting(location, error);
    }
    if (reply.type === MessageType.CONNECTFAIL) {
      const reason = protocol.handshake.refusalReason(reply);
      const accepted =
        protocol.handshake.refusedSerializerId(reason) === null
          ? undefined
          : await acceptedSerializers(settings, target);
      throw connectRejected(location, reason, serializer, protocol, accepted);
    }
    return {
      channel,
      uri,
      peerCertificate,
      annotations: reply.annotations,
      ...protocol.handshake.readAccepted(reply, serializer, uri.object),
    };
  } catch (error) {
    channel.close();
    throw error;
  }
}

async function openChannel(
  settings: ProxySettings,
  target: ConnectTarget,
): Promise<{ channel: MessageChannel; peerCertificate: PeerCertificate | null }> {
  const stream = await openDirectStream(target.uri, {
    config: settings.config,
    timeoutMs: target.timeoutMs,
    ...(settings.tls === undefined ? {} : { tls: settings.tls }),
    ...(target.signal === undefined ? {} : { signal: target.signal }),
  });
  const channel = new MessageChannel(stream, settings.protocol.frames, {
    hmacKey: settings.hmacKey,
    maxMessageSize: settings.maxMessageSize,
    maxInflatedSize: settings.maxInflatedSize,
    compress: settings.compression,
    directReads: directReadsOf(stream),
    wireLog: settings.config.get("LOGWIRE")
      ? { logger: stderrWireLogger, peer: target.uri.location ?? target.uri.toString() }
      : undefined,
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
async function acceptedSerializers(
  settings: ProxySettings,
  target: ConnectTarget,
): Promise<string[]> {
  const { handshake } = settings.protocol;
  const probes = SERIALIZER_NAMES.map(async (name): Promise<string | null> => {
    if (name === settings.serializer.name) return null;
    let channel: MessageChannel | undefined;
    try {
      ({ channel } = await openChannel(settings, { ...target, signal: undefined }));
      const request = handshake.request({
        serializer: createSerializer(name),
        seq: 0,
        handshake: settings.handshake,
        objectId: null,
        annotations: new Map(),
        correlationId: undefined,
      });
      const reply = await channel.request(request, {
        timeoutMs: target.timeoutMs > 0 ? target.timeoutMs : 5000,
      });
      const refused =
        reply.type === MessageType.CONNECTFAIL &&
        handshake.refusedSerializerId(handshake.refusalReason(reply)) !== null;
      return refused ? null : name;
    } catch {
      return null;
    } finally {
      channel?.close();
    }
  });
  return (await Promise.all(probes)).filter((name): name is string => name !== null);
}
