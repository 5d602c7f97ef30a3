/**
 * Turning away a connection over the daemon's cap the way Pyro4's thread-pool daemon turns
 * one away when it has no free worker: a CONNECTFAIL whose reason starts with "no free
 * workers" (Python's async proxies wait and retry on that text), then the socket closes.
 * The CONNECTFAIL is framed in the client's generation, which its first 6 bytes tell: a
 * Pyro5 client could not read Pyro4's (it would report a protocol error, not the reason).
 */
import type { Socket } from "node:net";
import { MessageType } from "../protocol/constants.js";
import { VERSION_BYTES } from "../protocol/version.js";
import type { WireProtocol } from "../protocol/wire-protocol.js";
import type { Serializer } from "../serializers/serializer.js";

/** How long a refused client that sent its CONNECT may take to read the refusal and close. */
const REFUSAL_GRACE_MS = 2000;
/**
 * How long a refused client may take to send the first bytes of its CONNECT; a silent one
 * (a flood's sockets) then gets the refusal in the daemon's own generation and is cut off.
 */
const SILENT_GRACE_MS = 250;

/** The CONNECTFAIL with `reason` for a client of `protocol` (signed only where it signs). */
export function refusalMessage(
  reason: string,
  marshal: Serializer,
  hmacKey: Uint8Array | undefined,
  protocol: WireProtocol,
): Uint8Array {
  return protocol.frames.encode(
    {
      type: MessageType.CONNECTFAIL,
      flags: 0,
      seq: 0,
      serializerId: protocol.serializers.refusal,
      annotations: new Map(),
      data: marshal.dumps(reason),
    },
    { hmacKey: protocol.signs ? hmacKey : undefined },
    true,
  ).head;
}

/**
 * Read the client's first bytes, send the CONNECTFAIL `refusalFor` frames for them (its
 * argument is empty for a client that stayed silent), then close. What the client sends is
 * read and dropped until it closes, so the refusal is not lost to a reset; a client that
 * lingers is cut off after two seconds, a silent one once its refusal is written.
 */
export function refuseConnection(
  socket: Socket,
  refusalFor: (early: Uint8Array) => Uint8Array,
): void {
  const destroy = (): void => {
    socket.destroy();
  };
  let early = Buffer.alloc(0);
  let answered = false;
  socket.on("error", destroy);
  socket.on("end", destroy);
  socket.on("data", (chunk: Buffer) => {
    if (answered) return;
    early = Buffer.concat([early, chunk]);
    if (early.length < VERSION_BYTES) return;
    answered = true;
    socket.end(refusalFor(early));
  });
  setTimeout(() => {
    if (answered) return;
    answered = true;
    socket.end(refusalFor(new Uint8Array(0)), destroy);
  }, SILENT_GRACE_MS).unref();
  setTimeout(destroy, REFUSAL_GRACE_MS).unref();
}
