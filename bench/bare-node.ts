/**
 * The Node clients of the `calls` part that are not pyrogen's Proxy: the floors that show
 * how close the Proxy is to what any Node client reaches against the same daemon.
 *
 * - {@link bareNodeClient}: the same request bytes, framed once, written to a plain socket
 *   (read through `onread` into a reused buffer, as pyrogen reads), the reply awaited by
 *   the length in its header, nothing decoded.
 * - {@link bareCodecClient}: that, plus the codec work no client can skip.
 * - {@link bareNodeConnect}: a new socket, the proxy's CONNECT and one small call, closed
 *   as the proxy closes it.
 * - {@link bareCodecConnect}: that, plus the codec work no client can skip.
 * - {@link nodeRawTcp}: a bare round trip of `size` bytes against the raw echo server.
 */
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { MessageType } from "../src/runtime/protocol/constants.js";
import type { Message } from "../src/runtime/protocol/message.js";
import type { WireProtocol } from "../src/runtime/protocol/wire-protocol.js";
import { createSerializer } from "../src/runtime/serializers/index.js";
import { giveBack } from "../src/runtime/serializers/scratch.js";
import type { SerializerName } from "../src/runtime/serializers/serializer.js";
import type { Budget, CallMeter, Figures } from "./measure.js";

/** Where a measurement goes: the daemon's URI, process and wire protocol, and the meter. */
export interface Target {
  uri: string;
  daemonPid: number;
  /** The daemon's generation of the wire protocol, which the bare clients speak. */
  protocol: WireProtocol;
  meter: CallMeter;
}

/** Calls of `echo(payload)` for `budget`, each request's bytes framed once beforehand. */
export async function bareNodeClient(
  target: Target,
  serializer: SerializerName,
  payload: unknown,
  budget: Budget,
): Promise<Figures> {
  const frames = bareFrames(target.protocol, serializer, payload);
  const bare = await BareConnection.open(target);
  try {
    await bare.exchange(frames.connect);
    return await target.meter.calls(target.daemonPid, budget, () => bare.exchange(frames.invoke));
  } finally {
    bare.socket.destroy();
  }
}

/**
 * {@link bareNodeClient} plus the codec work no client can skip: each call's request encoded
 * into the encoder's own memory (lent, as the proxy does) and framed into one buffer kept
 * for the connection, as the proxy frames mid-size requests (a new 10 KiB one per call
 * would be memory outside the heap for the collector to chase); its reply's payload decoded
 * (`loads`) where it was read. No channel, no proxy, no promise per call beyond the wait.
 */
export async function bareCodecClient(
  target: Target,
  serializer: SerializerName,
  payload: unknown,
  budget: Budget,
): Promise<Figures> {
  const protocol = target.protocol;
  const codec = createSerializer(serializer);
  const vargs = [payload];
  const serializerId = protocol.serializers.id(serializer);
  const bare = await BareConnection.open(target, true);
  const frame = Buffer.allocUnsafe(64 * 1024);
  let seq = 0;
  try {
    await bare.exchange(bareFrames(protocol, serializer, null).connect);
    return await target.meter.calls(target.daemonPid, budget, async () => {
      seq = (seq + 1) & 0xffff;
      const data = protocol.calls.encode(codec, "bench", "echo", vargs, {}, true);
      const { head } = protocol.frames.encode(
        { type: MessageType.INVOKE, flags: 0, seq, serializerId, annotations: new Map(), data },
        {},
        false,
      );
      frame.set(head);
      frame.set(data, head.length);
      const request = frame.subarray(0, head.length + data.length);
      giveBack(data);
      codec.loads(await bare.exchange(request));
    });
  } finally {
    bare.socket.destroy();
  }
}

/**
 * {@link bareNodeClient} for `connect`: a new socket, the proxy's CONNECT (asking for
 * metadata) and one small call, each request framed once beforehand, then the socket closed
 * as the proxy closes it.
 */
export async function bareNodeConnect(
  target: Target,
  serializer: SerializerName,
  payload: unknown,
  budget: Budget,
): Promise<Figures> {
  const frames = bareFrames(target.protocol, serializer, payload);
  return target.meter.calls(target.daemonPid, budget, async () => {
    const bare = await BareConnection.open(target);
    await bare.exchange(frames.connect);
    await bare.exchange(frames.invoke);
    await closeAsProxy(bare);
  });
}

/**
 * {@link bareNodeConnect} plus the codec work no client can skip: for each connection the
 * CONNECT and the call encoded and framed anew, the CONNECTOK's payload (the handshake and
 * the metadata) and the reply's decoded (`loads`). No channel, no proxy.
 */
export async function bareCodecConnect(
  target: Target,
  serializer: SerializerName,
  payload: unknown,
  budget: Budget,
): Promise<Figures> {
  const codec = createSerializer(serializer);
  return target.meter.calls(target.daemonPid, budget, async () => {
    const frames = bareFrames(target.protocol, serializer, payload);
    const bare = await BareConnection.open(target, true);
    codec.loads(await bare.exchange(frames.connect));
    codec.loads(await bare.exchange(frames.invoke));
    await closeAsProxy(bare);
  });
}

/**
 * Close the socket at once, as the proxy closes a plain socket with nothing left to write
 * (its FIN goes out with the close, without a shutdown first); resolve once closed.
 */
async function closeAsProxy(bare: BareConnection): Promise<void> {
  const closed = once(bare.socket, "close");
  bare.socket.destroy();
  await closed;
}

/** Round trips of `size` bytes for `budget` against the raw echo server on `port`. */
export async function nodeRawTcp(
  target: Target,
  port: number,
  budget: Budget,
  size: number,
): Promise<Figures> {
  let received = 0;
  let done: (() => void) | undefined;
  const socket: Socket = connect({
    host: "127.0.0.1",
    port,
    onread: {
      buffer: Buffer.allocUnsafe(64 * 1024),
      callback: (bytes) => {
        received += bytes;
        if (received >= size) {
          received -= size;
          done?.();
        }
        return true;
      },
    },
  });
  await once(socket, "connect");
  socket.setNoDelay(true);
  const message = Buffer.alloc(size, 0x78);
  const roundTrip = (): Promise<void> =>
    new Promise<void>((resolve) => {
      done = resolve;
      socket.write(message);
    });
  try {
    return await target.meter.calls(target.daemonPid, budget, roundTrip);
  } finally {
    socket.destroy();
  }
}

/** `msg` framed by `protocol` in one buffer. */
function framed(protocol: WireProtocol, msg: Message): Uint8Array {
  return protocol.frames.encode(msg, {}, true).head;
}

/** The framed CONNECT (with metadata, as a proxy sends it) and `echo(payload)` INVOKE. */
function bareFrames(protocol: WireProtocol, serializer: SerializerName, payload: unknown) {
  const codec = createSerializer(serializer);
  const connect = framed(
    protocol,
    protocol.handshake.request({
      serializer: codec,
      seq: 0,
      handshake: "hello",
      objectId: "bench",
      target: "bench",
      annotations: new Map(),
      correlationId: undefined,
    }),
  );
  const invoke = framed(protocol, {
    type: MessageType.INVOKE,
    flags: 0,
    seq: 1,
    serializerId: protocol.serializers.id(serializer),
    annotations: new Map(),
    data: protocol.calls.encode(codec, "bench", "echo", [payload], {}, false),
  });
  return { connect, invoke };
}

/**
 * Where a reply's sizes sit in each generation's fixed header: read straight from the
 * bytes, as the least a client does (the runtime's codec also checks the header).
 */
const REPLY_HEADERS: Record<number, ReplyHeader> = {
  4: { size: 24, annotations: (h) => h.readUInt16BE(18), data: (h) => h.readInt32BE(12) },
  5: { size: 40, annotations: (h) => h.readUInt32BE(16), data: (h) => h.readUInt32BE(12) },
};

interface ReplyHeader {
  size: number;
  annotations(header: Buffer): number;
  data(header: Buffer): number;
}

/**
 * A plain socket to the daemon that sends framed bytes and waits for one whole reply; with
 * `keepPayload` the wait resolves with the reply's payload: a view of the read buffer when
 * the reply came in one read (it is decoded before the next request is sent), else a copy.
 */
class BareConnection {
  readonly socket: Socket;
  readonly #keepPayload: boolean;
  readonly #layout: ReplyHeader;
  readonly #header: Buffer;
  #headerFilled = 0;
  #received = 0;
  /** The reply's annotations and payload, when kept and spread over several reads. */
  #body: Uint8Array | undefined;
  #done: ((payload: Uint8Array) => void) | undefined;

  private constructor(port: number, layout: ReplyHeader, keepPayload: boolean) {
    this.#keepPayload = keepPayload;
    this.#layout = layout;
    this.#header = Buffer.alloc(layout.size);
    this.socket = connect({
      host: "127.0.0.1",
      port,
      onread: { buffer: readBuffer, callback: (bytes, buffer) => this.#onRead(bytes, buffer) },
    });
  }

  /** Connect to the port of `target`'s URI on 127.0.0.1. */
  static async open(target: Target, keepPayload = false): Promise<BareConnection> {
    const port = Number(target.uri.slice(target.uri.lastIndexOf(":") + 1));
    const layout = REPLY_HEADERS[target.protocol.generation]!;
    const bare = new BareConnection(port, layout, keepPayload);
    await once(bare.socket, "connect");
    bare.socket.setNoDelay(true);
    return bare;
  }

  /**
   * Write `bytes` and resolve once the reply's header and all it announces have arrived:
   * with its payload when kept, else with an empty array.
   */
  exchange(bytes: Uint8Array): Promise<Uint8Array> {
    return new Promise<Uint8Array>((resolve) => {
      this.#done = resolve;
      this.socket.write(bytes);
    });
  }

  #onRead(bytes: number, buffer: Uint8Array): boolean {
    const header = this.#header;
    const { size, annotations: annotationsOf, data: dataOf } = this.#layout;
    const before = this.#received;
    let headerBytes = 0;
    if (this.#headerFilled < size) {
      headerBytes = Math.min(size - this.#headerFilled, bytes);
      header.set(buffer.subarray(0, headerBytes), this.#headerFilled);
      this.#headerFilled += headerBytes;
    }
    this.#received += bytes;
    if (this.#headerFilled < size) return true;
    const annotations = annotationsOf(header);
    const length = size + annotations + dataOf(header);
    if (this.#keepPayload) {
      if (before === 0 && bytes >= length) {
        this.#finish(buffer.subarray(size + annotations, length));
        return true;
      }
      const body = (this.#body ??= new Uint8Array(length - size));
      body.set(buffer.subarray(headerBytes, bytes), Math.max(0, before - size));
    }
    if (this.#received >= length) this.#finish(this.#body?.subarray(annotations) ?? EMPTY);
    return true;
  }

  #finish(payload: Uint8Array): void {
    this.#headerFilled = 0;
    this.#received = 0;
    this.#body = undefined;
    this.#done?.(payload);
  }
}

const EMPTY = new Uint8Array(0);

/** What bare connections read into: one at a time, and nothing reads what they receive. */
const readBuffer = Buffer.allocUnsafe(1 << 20);
