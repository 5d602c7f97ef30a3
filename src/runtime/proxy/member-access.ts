/**
 * Calls of a remote object's members by name, over the call path (calls.ts): a method call
 * checked against the metadata (an unknown name fails locally, `@oneway` methods are sent
 * oneway), and attribute reads and writes (`__getattr__`, `__setattr__`). A remote error
 * is rethrown here, in an async function the caller awaits, so its stack shows the caller.
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
 * `openStream` makes of the item stream it started.
 */
export async function callMethod(
  session: Session,
  settings: ProxySettings,
  uri: URI,
  method: string,
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>> | null | undefined,
  options: CallOptions,
  openStream: StreamOpener,
): Promise<unknown> {
  // Awaited only when metadata is wanted but not known yet (before the first connect).
  const metadata = settings.metadata
    ? (session.metadata ?? (await session.knownMetadata(settings, options)))
    : null;
  if (metadata !== null) checkMethod(metadata, method, uri);
  const oneway = options.oneway ?? metadata?.oneway.has(method) ?? false;
  const flags = oneway ? MessageFlag.ONEWAY : 0;
  let reply: InvokeReply | undefined;
  try {
    reply = await invoke(session, settings, method, args, kwargs ?? {}, options, flags);
  } catch (error) {
    throw atCaller(error);
  }
  if (reply === undefined) return undefined;
  const streamId = streamOf(reply);
  return streamId === undefined ? reply.value : openStream(streamId);
}

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
