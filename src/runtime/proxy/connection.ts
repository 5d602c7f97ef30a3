/**
 * Opening one proxy connection: the byte stream (TCP, Unix socket, TLS), the message
 * channel on top of it, and the CONNECT handshake in the proxy's protocol — or, when the
 * generation is detected, in the one remembered for the address (else the default); a
 * daemon of the other generation answers in its own format, which costs one round trip and
 * is remembered (proxy/generations.ts). Used by the session for every (re)connect.
 */
import type { Socket } from "node:net";
import { TLSSocket, type PeerCertificate } from "node:tls";
import type { CancelSignal } from "../cancel.js";
import { PyroError } from "../errors.js";
import { MessageChannel } from "../protocol/channel.js";
import { MessageType } from "../protocol/constants.js";
import { peerVersionOf } from "../protocol/version.js";
import { stderrWireLogger } from "../protocol/wire-log.js";
import type { HandshakeResult, WireProtocol } from "../protocol/wire-protocol.js";
import { SERIALIZER_NAMES, createSerializer } from "../serializers/index.js";
import { directReadsOf } from "../transport/direct-reads.js";
import { openDirectStream } from "../transport/open-stream.js";
import type { URI } from "../uri.js";
import { connectRejected } from "./connect-errors.js";
import { knownProtocol, rememberProtocol } from "./generations.js";
import { settingsAnnotations, type ProxySettings } from "./settings.js";

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
  /** The wire protocol it speaks (configured, or detected). */
  readonly protocol: WireProtocol;
  /** The URI it is connected to. */
  readonly uri: URI;
  /** The daemon's TLS certificate, `null` without TLS. */
  readonly peerCertificate: PeerCertificate | null;
  /** The annotations of the CONNECTOK. */
  readonly annotations: ReadonlyMap<string, Uint8Array>;
}

/**
 * Open a connection and perform the handshake; on failure nothing stays open. With
 * detection, a daemon that answered in the other generation's format is connected to again
 * in that one.
 */
export async function openConnection(
  settings: ProxySettings,
  target: ConnectTarget,
): Promise<Connection> {
  const guess = (settings.detect ? knownProtocol(target.uri) : undefined) ?? settings.protocol;
  try {
    const connection = await connectIn(guess, settings, target);
    if (settings.detect) rememberProtocol(target.uri, guess);
    return connection;
  } catch (error) {
    const version = peerVersionOf(error);
    const other = settings.protocols.find((protocol) => protocol.version === version);
    if (other === undefined || other === guess) throw error;
    if (!settings.detect) throw wrongGeneration(target.uri, guess, other, error);
    rememberProtocol(target.uri, other);
    return await connectIn(other, settings, target);
  }
}

/** The error for a daemon that speaks another generation than the one configured. */
function wrongGeneration(
  uri: URI,
  configured: WireProtocol,
  spoken: WireProtocol,
  cause: unknown,
): PyroError {
  return new PyroError(
    "protocol",
    `${uri.location ?? uri.toString()} is a ${spoken.name} daemon (protocol ${spoken.version}) but ` +
      `this proxy is set to speak ${configured.name}: set protocol: ${spoken.generation} ` +
      "(PYRO_PROTOCOL), or leave it unset to detect the generation",
    { cause },
  );
}

async function connectIn(
  protocol: WireProtocol,
  settings: ProxySettings,
  target: ConnectTarget,
): Promise<Connection> {
  const { serializer } = settings;
  const uri = target.uri;
  const location = uri.location ?? uri.toString();
  if (settings.hmacKey !== undefined && !protocol.signs) {
    throw new PyroError(
      "config",
      `${location} speaks ${protocol.name}, which has no HMAC message signing: remove the ` +
        "hmacKey (HMAC_KEY) for it and use TLS with client certificates to authenticate instead",
    );
  }
  const stream = await openStreamTo(settings, target);
  const channel = channelOver(stream, protocol, settings, target);
  const peerCertificate = peerCertificateOf(stream);
  try {
    const request = protocol.handshake.request({
      serializer,
      seq: target.seq,
      handshake: settings.handshake,
      objectId: settings.metadata ? uri.object : null,
      target: uri.object,
      annotations: settingsAnnotations(settings),
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
          : await acceptedSerializers(protocol, settings, target);
      throw connectRejected(location, reason, serializer, protocol, accepted);
    }
    return {
      channel,
      protocol,
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

/** The byte stream to the daemon (TCP, Unix socket, TLS), connected. */
function openStreamTo(settings: ProxySettings, target: ConnectTarget): Promise<Socket> {
  return openDirectStream(target.uri, {
    config: settings.config,
    timeoutMs: target.timeoutMs,
    ...(settings.tls === undefined ? {} : { tls: settings.tls }),
    ...(target.signal === undefined ? {} : { signal: target.signal }),
  });
}

/** The message channel over a connected `stream`, as `settings` configure it. */
function channelOver(
  stream: Socket,
  protocol: WireProtocol,
  settings: ProxySettings,
  target: ConnectTarget,
): MessageChannel {
  return new MessageChannel(stream, protocol.frames, {
    hmacKey: settings.hmacKey,
    maxMessageSize: settings.maxMessageSize,
    maxInflatedSize: settings.maxInflatedSize,
    compress: settings.compression,
    directReads: directReadsOf(stream),
    ackPingSerializerId: protocol.serializers.ping,
    wireLog: settings.config.get("LOGWIRE")
      ? { logger: stderrWireLogger, peer: target.uri.location ?? target.uri.toString() }
      : undefined,
  });
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
  protocol: WireProtocol,
  settings: ProxySettings,
  target: ConnectTarget,
): Promise<string[]> {
  const { handshake } = protocol;
  const probes = SERIALIZER_NAMES.map(async (name): Promise<string | null> => {
    if (name === settings.serializer.name) return null;
    let channel: MessageChannel | undefined;
    try {
      const probeTarget = { ...target, signal: undefined };
      channel = channelOver(
        await openStreamTo(settings, probeTarget),
        protocol,
        settings,
        probeTarget,
      );
      const request = handshake.request({
        serializer: createSerializer(name),
        seq: 0,
        handshake: settings.handshake,
        objectId: null,
        target: target.uri.object,
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
