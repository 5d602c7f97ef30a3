/**
 * Turning away a connection over the daemon's cap the way Pyro4's thread-pool daemon turns
 * one away when it has no free worker: a CONNECTFAIL whose reason starts with "no free
 * workers" (Python's async proxies wait and retry on that text), then the socket closes.
 */
import type { Socket } from "node:net";
import { MARSHAL_SERIALIZER_ID, MessageType } from "../protocol/constants.js";
import { encodeMessage } from "../protocol/message.js";
import type { Serializer } from "../serializers/serializer.js";

/** How long a refused client may take to read the refusal before its socket is destroyed. */
const REFUSAL_GRACE_MS = 2000;

/**
 * Send the CONNECTFAIL at once (a client reads it after sending its CONNECT), then close.
 * What the client sends is read and dropped until it closes, so the refusal is not lost to
 * a reset; a client that lingers is cut off after two seconds.
 */
export function refuseConnection(
  socket: Socket,
  reason: string,
  marshal: Serializer,
  hmacKey: Uint8Array | undefined,
): void {
  const refusal = encodeMessage(
    {
      type: MessageType.CONNECTFAIL,
      flags: 0,
      seq: 0,
      serializerId: MARSHAL_SERIALIZER_ID,
      annotations: new Map(),
      data: marshal.dumps(reason),
    },
    { hmacKey },
  );
  const destroy = (): void => {
    socket.destroy();
  };
  socket.on("error", destroy);
  socket.on("end", destroy);
  socket.resume();
  socket.end(refusal);
  setTimeout(destroy, REFUSAL_GRACE_MS).unref();
}
