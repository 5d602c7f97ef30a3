/**
 * Turning away a connection over the daemon's cap the way Pyro4's thread-pool daemon turns
 * one away when it has no free worker: a CONNECTFAIL whose reason starts with "no free
 * workers" (Python's async proxies wait and retry on that text), then the socket closes.
 */
import type { Socket } from "node:net";
import { MessageType } from "../protocol/constants.js";
import type { WireProtocol } from "../protocol/wire-protocol.js";
import type { Serializer } from "../serializers/serializer.js";

/** How long a refused client that sent its CONNECT may take to read the refusal and close. */
const REFUSAL_GRACE_MS = 2000;
/** A refused client that sends nothing this long is cut off at once (a flood's sockets). */
const SILENT_GRACE_MS = 250;

/**
 * Send the CONNECTFAIL at once (a client reads it after sending its CONNECT), then close.
 * What the client sends is read and dropped until it closes, so the refusal is not lost to
 * a reset; a client that lingers is cut off after two seconds, a silent one sooner.
 */
export function refuseConnection(
  socket: Socket,
  reason: string,
  marshal: Serializer,
  hmacKey: Uint8Array | undefined,
  protocol: WireProtocol,
): void {
  const refusal = protocol.frames.encode(
    {
      type: MessageType.CONNECTFAIL,
      flags: 0,
      seq: 0,
      serializerId: protocol.serializers.refusal,
      annotations: new Map(),
      data: marshal.dumps(reason),
    },
    { hmacKey },
    true,
  ).head;
  const destroy = (): void => {
    socket.destroy();
  };
  let heard = false;
  socket.on("error", destroy);
  socket.on("end", destroy);
  socket.on("data", () => {
    heard = true;
  });
  socket.end(refusal);
  setTimeout(() => {
    if (!heard) destroy();
  }, SILENT_GRACE_MS).unref();
  setTimeout(destroy, REFUSAL_GRACE_MS).unref();
}
