/**
 * Calls of a remote object's members by name, over the call path (calls.ts): a method call
 * checked against the metadata (an unknown name fails locally, `@oneway` methods are sent
 * oneway), and attribute reads and writes (`__getattr__`, `__setattr__`). A remote error
 * is rethrown here, in an async function or a promise reaction the caller awaits, so that
 * its stack shows the caller (V8 follows both).
 */
import type { CallOptions } from "../call-options.js";
import { atCaller } from "../errors.js";
import { MessageFlag } from "../protocol/constants.js";
import { emptyKwargs } from "../serializers/catalog.js";
import type { URI } from "../uri.js";
import { checkAttribute, checkMethod, invoke, streamOf, type InvokeReply } from "./calls.js";
import type { Session } from "./session.js";
import type { ProxySettings } from "./settings.js";

/** Makes the iterator over the item stream a call started (the proxy's `RemoteIterator`). */
export type StreamOpener = (streamId: string) => unknown;

/**
 * Call `method` (see `PyroProxy.$call`): its value, `undefined` for a oneway call, or what
 * `openStream` makes of the item stream it started. Not `async`: once the metadata is known
 * a call is the call path's promise and one reaction to it, without an async function's
 * state per call. `connected`: the metadata was asked for already (the call made again
 * once connected).
 */
export function callMethod(
  session: Session,
  settings: ProxySettings,
  uri: URI,
  method: string,
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>> | null | undefined,
  options: CallOptions,
  openStream: StreamOpener,
  connected = false,
): Promise<unknown> {
  const metadata = settings.metadata ? session.metadata : null;
  if (settings.metadata && metadata === null && !connected) {
    // Before the first connect the metadata is wanted but unknown: connect, then call
    // (unchecked if the daemon sent none).
    return session
      .knownMetadata(settings, options)
      .then(() =>
        callMethod(session, settings, uri, method, args, kwargs, options, openStream, true),
      );
  }
  try {
    if (metadata !== null) checkMethod(metadata, method, uri);
    const oneway = options.oneway ?? metadata?.oneway.has(method) ?? false;
    const flags = oneway ? MessageFlag.ONEWAY : 0;
    return invoke(session, settings, method, args, kwargs ?? NO_KWARGS, options, flags).then(
      (reply) => resultOf(reply, openStream),
      rethrowAtCaller,
    );
  } catch (error) {
    return Promise.reject(error as Error);
  }
}

/** A call's value, `undefined` for a oneway call, or the iterator over its item stream. */
function resultOf(reply: InvokeReply | undefined, openStream: StreamOpener): unknown {
  if (reply === undefined) return undefined;
  const streamId = streamOf(reply);
  return streamId === undefined ? reply.value : openStream(streamId);
}

/** Rethrow a call's error, a remote one with the stack of the caller awaiting it. */
function rethrowAtCaller(error: unknown): never {
  throw atCaller(error);
}

/** The kwargs of a call given none: never changed, so one object serves every call. */
const NO_KWARGS: Readonly<Record<string, unknown>> = Object.freeze({});

/** Read remote attribute `name` (see `PyroProxy.$get`). */
export async function getAttribute(
  session: Session,
  settings: ProxySettings,
  uri: URI,
  name: string,
  options: CallOptions,
): Promise<unknown> {
  await checkAttribute(session, settings, name, options, uri);
  const kwargs = emptyKwargs(settings.serializer.name);
  try {
    return (await invoke(session, settings, "__getattr__", [name], kwargs, options, 0))?.value;
  } catch (error) {
    throw atCaller(error);
  }
}

/** Write remote attribute `name` (see `PyroProxy.$set`). */
export async function setAttribute(
  session: Session,
  settings: ProxySettings,
  uri: URI,
  name: string,
  value: unknown,
  options: CallOptions,
): Promise<void> {
  await checkAttribute(session, settings, name, options, uri);
  const kwargs = emptyKwargs(settings.serializer.name);
  try {
    await invoke(session, settings, "__setattr__", [name, value], kwargs, options, 0);
  } catch (error) {
    throw atCaller(error);
  }
}
