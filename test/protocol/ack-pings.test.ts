/**
 * The channel's acknowledging PINGs against a model of a Python daemon's socket, where the
 * timing that made them multiply can be reproduced at will: the daemon answers one message
 * per event-loop turn, and sends like a socket with Nagle's algorithm on (a small segment
 * goes out only once the one before it is acknowledged, and an acknowledgement is anything
 * this end writes). The real daemons are in channel.test.ts and proxy/concurrency.test.ts.
 */
import { Duplex } from "node:stream";
import { describe, expect, it } from "vitest";
import { MessageChannel } from "../../src/runtime/protocol/channel.js";
import { MessageType } from "../../src/runtime/protocol/constants.js";
import type { Message } from "../../src/runtime/protocol/message.js";
import { MessageReader } from "../../src/runtime/protocol/reader.js";
import { encodeMessage, pyro4Frames } from "../../src/runtime/protocol-pyro4/frames.js";

const PING_SERIALIZER = 42;
const JSON_ID = 2;

/** A daemon end that echoes INVOKE payloads and answers PINGs, sending as Nagle does. */
class NagleDaemon extends Duplex {
  readonly #reader = new MessageReader(pyro4Frames);
  /** Requests received, not yet answered. */
  readonly #inbox: Message[] = [];
  /** Answers made, held back until the segment before them is acknowledged. */
  #held: Uint8Array[] = [];
  #unacknowledged = false;
  #working = false;
  pingsReceived = 0;

  override _read(): void {}

  override _write(chunk: Uint8Array, _encoding: string, done: () => void): void {
    // Anything this end writes acknowledges what the daemon sent.
    this.#unacknowledged = false;
    this.#flush();
    for (const msg of this.#reader.feed(chunk)) {
      if (msg.type === MessageType.PING) this.pingsReceived++;
      this.#inbox.push(msg);
    }
    this.#work();
    done();
  }

  /** Answer one message per event-loop turn: the daemon is slower than this end. */
  #work(): void {
    if (this.#working) return;
    this.#working = true;
    setImmediate(() => {
      this.#working = false;
      const msg = this.#inbox.shift();
      if (msg === undefined) return;
      const reply: Message =
        msg.type === MessageType.PING
          ? { ...msg, data: new TextEncoder().encode("pong") }
          : { ...msg, type: MessageType.RESULT };
      this.#held.push(encodeMessage(reply));
      this.#flush();
      this.#work();
    });
  }

  /** Send what is held, as one segment, unless the last one is unacknowledged. */
  #flush(): void {
    if (this.#unacknowledged || this.#held.length === 0) return;
    this.push(Buffer.concat(this.#held));
    this.#held = [];
    this.#unacknowledged = true;
  }
}

const invoke = (seq: number, value: number): Message => ({
  type: MessageType.INVOKE,
  flags: 0,
  seq,
  serializerId: JSON_ID,
  annotations: new Map(),
  data: new TextEncoder().encode(JSON.stringify(value)),
});

describe("acknowledging PINGs against a daemon that answers slower than this end acknowledges", () => {
  it("stay bounded through back-to-back bursts of pipelined calls (they once multiplied)", async () => {
    const daemon = new NagleDaemon();
    const channel = new MessageChannel(daemon, pyro4Frames, {
      ackPingSerializerId: PING_SERIALIZER,
    });
    const perBurst: number[] = [];
    let seq = 0;
    for (let burst = 0; burst < 100; burst++) {
      const before = daemon.pingsReceived;
      const values = Array.from({ length: 10 }, (_, i) => burst * 10 + i);
      const replies = await Promise.all(
        values.map((value) => channel.request(invoke(++seq, value))),
      );
      expect(replies.map((reply) => JSON.parse(new TextDecoder().decode(reply.data)))).toEqual(
        values,
      );
      perBurst.push(daemon.pingsReceived - before);
    }
    // Every reply of a burst arrives alone, so up to ~one PING each; without a bound,
    // the pongs of one burst's PINGs each brought another in the next, and the count grew
    // burst after burst.
    expect(Math.max(...perBurst.slice(-20))).toBeLessThanOrEqual(15);
    channel.close();
  });
});
