/**
 * A bare-bones Pyro peer for daemon tests: writes whatever bytes it is told to and reads
 * framed replies, so tests can send what no well-behaved client would.
 */
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { type Message } from "../../src/runtime/protocol/message.js";
import { MessageReader } from "../../src/runtime/protocol/reader.js";
import type { WireProtocol } from "../../src/runtime/protocol/wire-protocol.js";
import { pyro4 } from "../../src/runtime/protocol-pyro4/index.js";

/** What {@link RawClient.next} yields: a message, or the end of the connection. */
export type RawEvent = Message | "closed";

/** One raw connection to a daemon. */
export class RawClient {
  readonly #socket: Socket;
  readonly #protocol: WireProtocol;
  readonly #reader: MessageReader;
  readonly #events: RawEvent[] = [];
  readonly #waiters: Array<(event: RawEvent) => void> = [];

  private constructor(socket: Socket, protocol: WireProtocol, reader: MessageReader) {
    this.#socket = socket;
    this.#protocol = protocol;
    this.#reader = reader;
    socket.on("data", (chunk: Buffer) => {
      try {
        for (const msg of this.#reader.feed(chunk)) this.#emit(msg);
      } catch {
        socket.destroy();
      }
    });
    socket.on("close", () => this.#emit("closed"));
    socket.on("error", () => undefined);
  }

  /**
   * Connect to `port` on 127.0.0.1, framing in `protocol`'s generation (default Pyro4);
   * `inflate: false` keeps COMPRESSED payloads as sent.
   */
  static async connect(
    port: number,
    options: { inflate?: boolean; hmacKey?: Uint8Array; protocol?: WireProtocol } = {},
  ): Promise<RawClient> {
    const socket = connect({ host: "127.0.0.1", port });
    await once(socket, "connect");
    const protocol = options.protocol ?? pyro4;
    return new RawClient(
      socket,
      protocol,
      new MessageReader(protocol.frames, {
        inflate: options.inflate ?? true,
        hmacKey: options.hmacKey,
      }),
    );
  }

  /** Write raw bytes. */
  write(bytes: Uint8Array): void {
    this.#socket.write(bytes);
  }

  /** Frame and write a message. */
  send(msg: Partial<Message> & Pick<Message, "type">, hmacKey?: Uint8Array): void {
    this.write(
      this.#protocol.frames.encode(
        {
          flags: 0,
          seq: 0,
          serializerId: this.#protocol.serializers.id("json"),
          annotations: new Map(),
          data: new Uint8Array(0),
          ...msg,
        },
        { hmacKey },
        true,
      ).head,
    );
  }

  /** The next reply or `"closed"`. */
  next(): Promise<RawEvent> {
    const ready = this.#events.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Close the connection. */
  close(): void {
    this.#socket.destroy();
  }

  #emit(event: RawEvent): void {
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) waiter(event);
    else this.#events.push(event);
  }
}
