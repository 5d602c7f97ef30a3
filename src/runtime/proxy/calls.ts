/**
 * A proxy's call path: one INVOKE (or PING) from request to decoded reply, with retries.
 *
 * Calls are pipelined over the session's one connection: each request is written at once
 * and its sequence number taken right before the synchronous write, so numbers go out in
 * order however many callers share the connection. On an open connection a call chains no
 * promise beyond the channel's own. A failure closes the connection (see the channel);
 * only a lost connection or a timeout, never a remote error, is retried.
 */
import { toAnnotationMap, type CallOptions } from "../call-options.js";
import { PyroError } from "../errors.js";
import type { ObjectMetadata } from "../metadata.js";
import { NO_ANNOTATIONS } from "../protocol/annotation-value.js";
import { Annotation, MessageFlag, MessageType } from "../protocol/constants.js";
import type { Message } from "../protocol/message.js";
import { blobRequest, SerializedBlob } from "../serialized-blob.js";
import { payloadViewCount } from "../serializers/codec-util.js";
import { giveBack } from "../serializers/scratch.js";
import type { URI } from "../uri.js";
import type { Connection } from "./connection.js";
import { callTimeout, type Session } from "./session.js";
import { settingsAnnotations, type ProxySettings } from "./settings.js";

/** Options of `PyroProxy.$invoke`: call options plus the raw message details. */
export interface InvokeOptions extends CallOptions {
  /** Object id to address (default: the proxy's object), e.g. `Pyro.Daemon`. */
  objectId?: string;
  /** Flags for the INVOKE (`MessageFlag.BATCH`, `MessageFlag.ONEWAY`). */
  flags?: number;
}

/** A decoded reply, not yet interpreted (what `PyroProxy.$invoke` gives). */
export interface InvokeReply {
  /** The deserialized payload (class dicts revived). */
  readonly value: unknown;
  /** The reply's flags (BATCH, ITEMSTREAMRESULT, …), as the connection's protocol numbers them. */
  readonly flags: number;
  /** The reply started an item stream (ITEMSTREAMRESULT, whichever bit that is). */
  readonly itemStream: boolean;
  /** The reply's annotations (`STRM` for streams, `CORR`, custom ones). */
  readonly annotations: ReadonlyMap<string, Uint8Array>;
}

/** Call kwargs as the call path takes them. */
type Kwargs = Readonly<Record<string, unknown>> | null;

/** The payload of a PING, as Pyro4 sends it (the daemon never reads it). */
const PING_PAYLOAD = Buffer.from("ping");

/**
 * Send one INVOKE and resolve with its decoded reply (`undefined` for ONEWAY), re-sent up to
 * `maxRetries` times after a lost connection or a timeout.
 */
export function invoke(
  session: Session,
  settings: ProxySettings,
  method: string,
  args: readonly unknown[],
  kwargs: Kwargs,
  options: InvokeOptions,
  flags: number,
): Promise<InvokeReply | undefined> {
  // Without retries (the default) the attempt's own promise is the result: no extra await.
  if (settings.maxRetries === 0)
    return invokeOnce(session, settings, method, args, kwargs, options, flags);
  return invokeRetrying(session, settings, method, args, kwargs, options, flags);
}

async function invokeRetrying(
  session: Session,
  settings: ProxySettings,
  method: string,
  args: readonly unknown[],
  kwargs: Kwargs,
  options: InvokeOptions,
  flags: number,
): Promise<InvokeReply | undefined> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await invokeOnce(session, settings, method, args, kwargs, options, flags);
    } catch (error) {
      if (attempt >= settings.maxRetries || !isRetriable(error) || options.signal?.aborted) {
        throw error;
      }
    }
  }
}

/** One attempt; not `async` so that on an open connection no extra promise is chained. */
function invokeOnce(
  session: Session,
  settings: ProxySettings,
  method: string,
  args: readonly unknown[],
  kwargs: Kwargs,
  options: InvokeOptions,
  flags: number,
): Promise<InvokeReply | undefined> {
  try {
    const timeoutMs = callTimeout(settings, options);
    const open = session.openOrFail();
    if (open !== null) {
      return send(session, settings, open, method, args, kwargs, options, flags, timeoutMs);
    }
    return session
      .connect(settings, options)
      .then((connection) =>
        send(session, settings, connection, method, args, kwargs, options, flags, timeoutMs),
      );
  } catch (error) {
    return Promise.reject(error as Error);
  }
}

/** Encode and write one INVOKE on `connection`; resolve with its decoded reply. */
function send(
  session: Session,
  settings: ProxySettings,
  connection: Connection,
  method: string,
  args: readonly unknown[],
  kwargs: Kwargs,
  options: InvokeOptions,
  flags: number,
  timeoutMs: number,
): Promise<InvokeReply | undefined> {
  const objectId = options.objectId ?? connection.uri.object;
  const request: Message =
    args[0] instanceof SerializedBlob
      ? blobMessage(settings, connection, args[0], args, kwargs, objectId, method, options, flags)
      : {
          type: MessageType.INVOKE,
          flags,
          seq: 0,
          serializerId: serializerIdOn(connection, settings),
          annotations: requestAnnotations(settings, options),
          correlationId: settings.correlation,
          // Lent scratch memory, given back by the channel once framed or written: the
          // payload is neither copied out of the encoder nor allocated afresh per call.
          data: connection.protocol.calls.encode(
            settings.serializer,
            objectId,
            method,
            args,
            kwargs,
            true,
          ),
        };
  // The sequence number is taken right before the synchronous write, so numbers go out
  // in order even when many callers share the connection.
  request.seq = session.nextSeq();
  const signal = options.signal;
  if ((flags & MessageFlag.ONEWAY) !== 0) {
    // No reply, so no reply annotations (Pyro4 empties them too).
    session.responseAnnotations = NO_ANNOTATIONS;
    return connection.channel.request(request, {
      expectReply: false,
      signal,
      release: giveBack,
    });
  }
  // Decoded as the reply is dispatched: no promise chained after the channel's own.
  return connection.channel.requestRead(
    request,
    (reply) => readReply(session, settings, connection, reply),
    { timeoutMs, signal, release: giveBack },
  );
}

/** An INVOKE whose only argument is a {@link SerializedBlob} (KEEPSERIALIZED, `BLBI`). */
function blobMessage(
  settings: ProxySettings,
  connection: Connection,
  blob: SerializedBlob,
  args: readonly unknown[],
  kwargs: Kwargs,
  objectId: string,
  method: string,
  options: CallOptions,
  flags: number,
): Message {
  const { serializer } = settings;
  const protocol = connection.protocol;
  const blobbed = blobRequest(blob, args, kwargs, serializer, protocol.calls, objectId, method);
  const annotations = new Map(requestAnnotations(settings, options));
  annotations.set(Annotation.BLBI, blobbed.info);
  return {
    type: MessageType.INVOKE,
    flags: flags | protocol.flags.KEEPSERIALIZED,
    seq: 0,
    serializerId: serializerIdOn(connection, settings),
    annotations,
    correlationId: settings.correlation,
    data: blobbed.data,
  };
}

function readReply(
  session: Session,
  settings: ProxySettings,
  connection: Connection,
  reply: Message,
): InvokeReply {
  if (reply.serializerId !== serializerIdOn(connection, settings)) {
    const error = new PyroError(
      "serialize",
      `invalid serializer in response: ${reply.serializerId}`,
    );
    connection.channel.close(error);
    throw error;
  }
  // The reply's bytes are released for reuse once decoded, unless the value views them (a
  // large bytes value); its annotation values are copies (`protocol/annotation-value.ts`).
  const annotations = reply.annotations;
  session.responseAnnotations = annotations;
  const viewsBefore = payloadViewCount();
  let value: unknown;
  try {
    value = settings.serializer.loads(reply.data);
  } catch (error) {
    connection.channel.close(lostAfter(error));
    throw error;
  }
  if (payloadViewCount() === viewsBefore) connection.channel.release(reply);
  const flags = reply.flags;
  const itemStream = (flags & connection.protocol.flags.ITEMSTREAMRESULT) !== 0;
  if ((flags & MessageFlag.EXCEPTION) !== 0 && !itemStream) {
    const error =
      value instanceof PyroError
        ? value
        : new PyroError("remote", `remote exception (not an exception dict): ${String(value)}`);
    // Pyro drops the connection after a communication-class error.
    if (error.isCommunicationError) connection.channel.close(lostAfter(error));
    throw error;
  }
  return { value, flags, itemStream, annotations };
}

/** The wire id of the proxy's serializer in the protocol `connection` speaks. */
function serializerIdOn(connection: Connection, settings: ProxySettings): number {
  return connection.protocol.serializers.id(settings.serializer.name);
}

/**
 * Ping the daemon over the session's connection (Pyro's MSG_PING, which the daemon answers
 * without calling anything), connecting first when needed.
 */
export async function ping(
  session: Session,
  settings: ProxySettings,
  options: CallOptions,
): Promise<void> {
  const timeoutMs = callTimeout(settings, options);
  const connection = session.openOrFail() ?? (await session.connect(settings, options));
  await connection.channel.request(
    {
      type: MessageType.PING,
      flags: 0,
      seq: session.nextSeq(),
      serializerId: connection.protocol.serializers.ping,
      annotations: requestAnnotations(settings, options),
      correlationId: settings.correlation,
      data: PING_PAYLOAD,
    },
    { timeoutMs, signal: options.signal },
  );
}

/** `metadata` lists `method` as a method, else an `attribute` error (with a hint for an attribute). */
export function checkMethod(metadata: ObjectMetadata, method: string, uri: URI): void {
  if (metadata.methods.has(method)) return;
  const hint = metadata.attrs.has(method) ? ` ('${method}' is an attribute: use $get)` : "";
  throw new PyroError(
    "attribute",
    `remote object '${uri.toString()}' has no exposed attribute or method '${method}'${hint}`,
  );
}

/**
 * The metadata (connecting first when it is wanted but unknown) lists `name` as an
 * attribute, else an `attribute` error (with a hint for a method).
 */
export async function checkAttribute(
  session: Session,
  settings: ProxySettings,
  name: string,
  options: CallOptions,
  uri: URI,
): Promise<void> {
  const metadata = await session.knownMetadata(settings, options);
  if (metadata === null || metadata.attrs.has(name)) return;
  const hint = metadata.methods.has(name) ? ` ('${name}' is a method: use $call)` : "";
  throw new PyroError(
    "attribute",
    `remote object '${uri.toString()}' has no exposed attribute '${name}'${hint}`,
  );
}

/**
 * The stream id of a reply that started an item stream (ITEMSTREAMRESULT with a `STRM`
 * annotation), else `undefined`; a `protocol` error when the daemon sent no id.
 */
export function streamOf(reply: InvokeReply): string | undefined {
  if (!reply.itemStream) return undefined;
  const id = reply.annotations.get(Annotation.STRM);
  if (id === undefined || id.length === 0) {
    throw new PyroError(
      "protocol",
      "result of call is an iterator, but the server is not configured to allow streaming",
    );
  }
  return Buffer.from(id).toString("latin1");
}

function requestAnnotations(
  settings: ProxySettings,
  options: CallOptions,
): Map<string, Uint8Array> {
  const own = settingsAnnotations(settings);
  // Nothing to add: send the proxy's own map (nothing downstream modifies a message's map).
  if (options.annotations === undefined) return own;
  const annotations = new Map(own);
  for (const [key, value] of toAnnotationMap(options.annotations)) annotations.set(key, value);
  return annotations;
}

/** Only a lost connection or a timeout is retried (never a refused connect, never a remote error). */
function isRetriable(error: unknown): boolean {
  return (
    error instanceof PyroError &&
    error.remote === undefined &&
    (error.code === "connection-closed" || error.code === "timeout")
  );
}

function lostAfter(error: unknown): PyroError {
  const why = error instanceof Error ? error.message : String(error);
  return new PyroError("connection-closed", `connection closed after an error: ${why}`, {
    cause: error,
  });
}
