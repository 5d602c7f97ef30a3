/**
 * Hand-built Pyro4 messages for tests of the layers below the protocol code (transport):
 * enough of the wire format (header, CONNECT payload) to exchange a JSON CONNECT/CONNECTOK.
 */
import type { Duplex } from "node:stream";

/** One Pyro message as read off the wire (annotations skipped). */
export interface RawMessage {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly serializerId: number;
  readonly data: Buffer;
}

/** The message types used here. */
export const CONNECT = 1;
/** CONNECTOK */
export const CONNECTOK = 2;
/** CONNECTFAIL */
export const CONNECTFAIL = 3;
/** The json serializer id. */
export const JSON_ID = 2;
/** META_ON_CONNECT flag. */
export const META_ON_CONNECT = 0x10;

/** Header + payload of a message without annotations. */
export function encodeRaw(message: Omit<RawMessage, "data"> & { data: Uint8Array }): Buffer {
  const header = Buffer.alloc(24);
  header.write("PYRO", 0, "ascii");
  header.writeUInt16BE(48, 4);
  header.writeUInt16BE(message.type, 6);
  header.writeUInt16BE(message.flags, 8);
  header.writeUInt16BE(message.seq, 10);
  header.writeInt32BE(message.data.length, 12);
  header.writeUInt16BE(message.serializerId, 16);
  header.writeUInt16BE(0, 18);
  const checksum =
    (message.type +
      48 +
      message.data.length +
      message.serializerId +
      message.flags +
      message.seq +
      0x34e9) &
    0xffff;
  header.writeUInt16BE(checksum, 22);
  return Buffer.concat([header, message.data]);
}

/** Read exactly one message from a stream (rejects on error, or on close before it is complete). */
export function readRaw(stream: Duplex): Promise<RawMessage> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const cleanup = (): void => {
      stream.off("data", onData);
      stream.off("error", onError);
      stream.off("close", onClose);
    };
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 24) return;
      if (buffered.subarray(0, 4).toString("ascii") !== "PYRO") {
        cleanup();
        reject(new Error(`not a Pyro message: ${buffered.subarray(0, 24).toString("hex")}`));
        return;
      }
      const annotationsLength = buffered.readUInt16BE(18);
      const dataLength = buffered.readInt32BE(12);
      const total = 24 + annotationsLength + dataLength;
      if (buffered.length < total) return;
      cleanup();
      stream.pause();
      resolve({
        type: buffered.readUInt16BE(6),
        flags: buffered.readUInt16BE(8),
        seq: buffered.readUInt16BE(10),
        serializerId: buffered.readUInt16BE(16),
        data: buffered.subarray(24 + annotationsLength, total),
      });
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const onClose = (): void => {
      cleanup();
      reject(new Error("connection closed before a complete message arrived"));
    };
    stream.on("data", onData);
    stream.once("error", onError);
    stream.once("close", onClose);
    stream.resume();
  });
}

/** What the daemon answered to a JSON CONNECT with META_ON_CONNECT. */
export interface ConnectReply {
  readonly type: number;
  readonly payload: unknown;
}

/** Send a JSON CONNECT for `objectId` (asking for metadata) and return the decoded reply. */
export async function rawConnect(
  stream: Duplex,
  objectId: string,
  handshake: unknown = "hello",
): Promise<ConnectReply> {
  const data = Buffer.from(JSON.stringify({ handshake, object: objectId }), "utf8");
  stream.write(
    encodeRaw({ type: CONNECT, flags: META_ON_CONNECT, seq: 0, serializerId: JSON_ID, data }),
  );
  const reply = await readRaw(stream);
  // A CONNECTFAIL may be marshal-encoded; its text is still readable for a failure message.
  const payload: unknown =
    reply.serializerId === JSON_ID
      ? JSON.parse(reply.data.toString("utf8"))
      : reply.data.toString("latin1");
  return { type: reply.type, payload };
}
