/**
 * MessageChannel against real Python Pyro4 daemons: Pyro's own echo server and
 * fixtures/protocol_server.py (thread pool, optional HMAC / compression / max size).
 */
import { connect, type Socket } from "node:net";
import { once } from "node:events";
import { Duplex } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PyroError } from "../../src/runtime/errors.js";
import type { ChannelOptions } from "../../src/runtime/protocol/channel-options.js";
import { MessageChannel } from "../../src/runtime/protocol/channel.js";
import { MessageFlag, MessageType } from "../../src/runtime/protocol/constants.js";
import { type Message } from "../../src/runtime/protocol/message.js";
import { medianMs } from "../harness/latency.js";
import { PythonProcesses, freePort } from "../harness/python.js";
import { Pyro4Flag } from "../../src/runtime/protocol-pyro4/constants.js";
import { encodeMessage, pyro4Frames } from "../../src/runtime/protocol-pyro4/frames.js";
import { directReadsOf } from "../../src/runtime/transport/direct-reads.js";
import { openDirectStream } from "../../src/runtime/transport/open-stream.js";

const python = new PythonProcesses();
afterAll(() => python.stopAll());

const JSON_ID = 2;
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const parse = (m: Message): unknown => JSON.parse(new TextDecoder().decode(m.data));

function msg(type: number, seq: number, payload: unknown, flags = 0): Message {
  return {
    type,
    flags,
    seq,
    serializerId: JSON_ID,
    annotations: new Map(),
    data: utf8(JSON.stringify(payload)),
  };
}

const connectMsg = (object: string): Message =>
  msg(MessageType.CONNECT, 0, { handshake: "hello", object }, Pyro4Flag.META_ON_CONNECT);

const invoke = (seq: number, object: string, method: string, params: unknown[]): Message =>
  msg(MessageType.INVOKE, seq, { object, method, params, kwargs: {} });

/** A channel as a proxy opens it (a direct-read socket with TCP_NODELAY), handshaken. */
async function openDirect(
  port: number,
  options: ChannelOptions = {},
): Promise<{ socket: Socket; channel: MessageChannel }> {
  const socket = await openDirectStream(`PYRO:protocol.test@127.0.0.1:${port}`);
  const channel = new MessageChannel(socket, pyro4Frames, {
    ...options,
    directReads: directReadsOf(socket),
  });
  return { socket, channel: await accepted(channel, "protocol.test") };
}

async function open(port: number, options: ChannelOptions = {}): Promise<MessageChannel> {
  const socket: Socket = connect({ host: "127.0.0.1", port });
  await once(socket, "connect");
  return new MessageChannel(socket, pyro4Frames, options);
}

/** Open a channel and do the CONNECT handshake for `object`. */
async function handshake(
  port: number,
  object: string,
  options: ChannelOptions = {},
): Promise<MessageChannel> {
  return accepted(await open(port, options), object);
}

/** `channel` after a CONNECT for `object` that the daemon accepted. */
async function accepted(channel: MessageChannel, object: string): Promise<MessageChannel> {
  const reply = await channel.request(connectMsg(object), { timeoutMs: 10_000 });
  expect(reply.type).toBe(MessageType.CONNECTOK);
  return channel;
}

async function rejection(promise: Promise<unknown>): Promise<PyroError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(PyroError);
    return error as PyroError;
  }
  return expect.fail("expected the request to fail");
}

async function startFixture(
  args: string[] = [],
): Promise<{ port: number; stop: () => Promise<void> }> {
  const { process, info } = await python.startFixture<{ port: number }>("protocol_server.py", [
    "--host",
    "127.0.0.1",
    "--port",
    "0",
    ...args,
  ]);
  return { port: info.port, stop: () => process.stop() };
}

describe("MessageChannel with Pyro4's echo server", () => {
  let port = 0;
  beforeAll(async () => {
    port = await freePort();
    await python.start(
      ["-m", "Pyro4.test.echoserver", "-H", "127.0.0.1", "-p", String(port), "-q"],
      {
        ready: { port },
      },
    );
  });

  it("does the handshake and gets the metadata", async () => {
    const channel = await open(port);
    const reply = await channel.request(connectMsg("test.echoserver"));
    expect(reply.type).toBe(MessageType.CONNECTOK);
    expect(reply.seq).toBe(0);
    expect(reply.flags).toBe(Pyro4Flag.META_ON_CONNECT);
    expect(reply.annotations.get("CORR")?.length).toBe(16);
    const payload = parse(reply) as { handshake: string; meta: { methods: string[] } };
    expect(payload.handshake).toBe("hello");
    expect(payload.meta.methods).toContain("echo");
    channel.close();
    expect(channel.closed).toBe(true);
  });

  it("pipelines 200 INVOKEs sent before any reply and matches the replies by seq", async () => {
    const channel = await handshake(port, "test.echoserver");
    const calls = Array.from({ length: 200 }, (_, i) =>
      channel.request(invoke(i + 1, "test.echoserver", "echo", [`value ${i}`])),
    );
    // All 200 are written before the first reply can be read.
    expect(channel.inFlight).toBe(200);
    const replies = await Promise.all(calls);
    expect(replies.map((r) => r.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(replies.map(parse)).toEqual(Array.from({ length: 200 }, (_, i) => `value ${i}`));
    expect(channel.inFlight).toBe(0);
    channel.close();
  });

  it("requestRead resolves with what read made of each reply, read in turn as they arrive", async () => {
    const channel = await handshake(port, "test.echoserver");
    const order: number[] = [];
    const calls = Array.from({ length: 50 }, (_, i) =>
      channel.requestRead(invoke(i + 1, "test.echoserver", "echo", [i]), (reply) => {
        order.push(reply.seq);
        // Read before the next reply is dispatched: the channel still waits for the rest.
        expect(channel.inFlight).toBe(49 - i);
        return { seq: reply.seq, value: parse(reply) };
      }),
    );
    const values = await Promise.all(calls);
    expect(values).toEqual(Array.from({ length: 50 }, (_, i) => ({ seq: i + 1, value: i })));
    expect(order).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    channel.close();
  });

  it("requestRead: an exception from read rejects that request only; the channel stays open", async () => {
    const channel = await handshake(port, "test.echoserver");
    const thrown = new Error("cannot read this one");
    const bad = channel.requestRead(invoke(1, "test.echoserver", "echo", ["bad"]), () => {
      throw thrown;
    });
    const good = channel.requestRead(invoke(2, "test.echoserver", "echo", ["good"]), parse);
    await expect(bad).rejects.toBe(thrown);
    expect(await good).toBe("good");
    expect(channel.closed).toBe(false);
    expect(await channel.requestRead(invoke(3, "test.echoserver", "echo", [3]), parse)).toBe(3);
    channel.close();
  });

  it("requestRead: a read that closes the channel fails the requests behind it", async () => {
    const channel = await handshake(port, "test.echoserver");
    const reason = new PyroError("serialize", "this reply cannot be decoded");
    const first = channel.requestRead(invoke(1, "test.echoserver", "echo", [1]), () => {
      channel.close(reason);
      throw reason;
    });
    const second = channel.requestRead(invoke(2, "test.echoserver", "echo", [2]), parse);
    await expect(first).rejects.toBe(reason);
    await expect(second).rejects.toBe(reason);
    expect(channel.closeReason).toBe(reason);
  });

  it("answers a PING with pong after the handshake", async () => {
    const channel = await handshake(port, "test.echoserver");
    const reply = await channel.request({
      type: MessageType.PING,
      flags: 0,
      seq: 7,
      serializerId: 42,
      annotations: new Map(),
      data: utf8("ping"),
    });
    expect(reply.type).toBe(MessageType.PING);
    expect(reply.serializerId).toBe(42);
    expect(new TextDecoder().decode(reply.data)).toBe("pong");
    channel.close();
  });

  it("sends a oneway call without waiting, then continues with the next seq", async () => {
    const channel = await handshake(port, "test.echoserver");
    const sent = await channel.request(
      msg(
        MessageType.INVOKE,
        1,
        { object: "test.echoserver", method: "oneway_echo", params: ["x"], kwargs: {} },
        MessageFlag.ONEWAY,
      ),
      { expectReply: false },
    );
    expect(sent).toBeUndefined();
    const reply = await channel.request(invoke(2, "test.echoserver", "echo", ["after oneway"]));
    expect(parse(reply)).toBe("after oneway");
    channel.close();
  });

  it("fails with 'reply sequence out of sync' and closes when a reply does not match", async () => {
    const channel = await handshake(port, "test.echoserver");
    // An untracked request: its reply arrives where the tracked one expects seq 10.
    channel.send(invoke(9, "test.echoserver", "echo", ["stray"]));
    const error = await rejection(channel.request(invoke(10, "test.echoserver", "echo", ["x"])));
    expect(error.code).toBe("protocol");
    expect(error.message).toBe("invoke: reply sequence out of sync, got 9 expected 10");
    expect(channel.closed).toBe(true);
    expect(channel.closeReason).toBe(error);
  });

  it("treats a reply nobody waits for as a protocol error and closes", async () => {
    const channel = await handshake(port, "test.echoserver");
    const closed = new Promise<PyroError>((resolve) => channel.onClose(resolve));
    channel.send(invoke(1, "test.echoserver", "echo", ["unsolicited"]));
    const reason = await closed;
    expect(reason.code).toBe("protocol");
    expect(reason.message).toMatch(/^unexpected message \(type 5, seq 1\)/);
  });

  it("takes a CONNECTFAIL as the reply to CONNECT", async () => {
    const channel = await open(port);
    const reply = await channel.request(connectMsg("no.such.object"));
    expect(reply.type).toBe(MessageType.CONNECTFAIL);
    expect(parse(reply)).toBe("unknown object");
  });

  it("releases a payload copied into its frame before request() returns", async () => {
    const channel = await handshake(port, "test.echoserver");
    const request = invoke(1, "test.echoserver", "echo", ["small"]);
    const released: Uint8Array[] = [];
    const reply = channel.request(request, { release: (data) => released.push(data) });
    expect(released).toEqual([request.data]);
    expect(parse(await reply)).toBe("small");
    expect(released).toHaveLength(1);
    channel.close();
  });

  it("releases a payload written as is only once it is written, before its reply", async () => {
    const channel = await handshake(port, "test.echoserver");
    const text = "w".repeat(3 << 20);
    const request = invoke(1, "test.echoserver", "echo", [text]);
    const released: Uint8Array[] = [];
    const reply = channel.request(request, { release: (data) => released.push(data) });
    // Written as is, beside its header: given back from the write's callback, never sooner.
    expect(released).toEqual([]);
    const oneway = channel.request(
      msg(
        MessageType.INVOKE,
        2,
        { object: "test.echoserver", method: "oneway_echo", params: [text], kwargs: {} },
        MessageFlag.ONEWAY,
      ),
      { expectReply: false, release: (data) => released.push(data) },
    );
    expect(parse(await reply)).toBe(text);
    expect(released[0]).toBe(request.data);
    await oneway;
    expect(released).toHaveLength(2);
    channel.close();
  });
});

describe("MessageChannel acknowledging PINGs (fixtures/protocol_server.py: Nagle on, as by default)", () => {
  let port = 0;
  beforeAll(async () => {
    port = (await startFixture()).port;
  });

  type LogEntry = { direction: "sent" | "received"; type: number; data: string };

  /** {@link openDirect}, recording every message the channel sends and receives after the handshake. */
  async function logged(ackPings: boolean): Promise<{ channel: MessageChannel; log: LogEntry[] }> {
    const log: LogEntry[] = [];
    const { channel } = await openDirect(port, {
      ackPingSerializerId: ackPings ? 42 : undefined,
      wireLog: {
        peer: "protocol_server",
        logger: (direction, _peer, message) =>
          log.push({ direction, type: message.type, data: new TextDecoder().decode(message.data) }),
      },
    });
    log.length = 0;
    return { channel, log };
  }

  const call = (channel: MessageChannel, seq: number, method: string, value: unknown) =>
    channel.request(invoke(seq, "protocol.test", method, [value])).then(parse);
  const pingsIn = (log: LogEntry[], direction: "sent" | "received") =>
    log.filter((entry) => entry.direction === direction && entry.type === MessageType.PING);
  const lastIndexOf = (log: LogEntry[], direction: "sent" | "received", type: number) =>
    log.findLastIndex((entry) => entry.direction === direction && entry.type === type);

  it("acknowledges a reply with a PING while another request waits, and takes the pong in turn", async () => {
    const { channel, log } = await logged(true);
    // The daemon answers the echo at once, then sleeps: the echo's reply arrives alone.
    const results = Promise.all([
      call(channel, 1, "echo", "first"),
      call(channel, 2, "sleep", 0.1),
      call(channel, 3, "echo", "third"),
    ]);
    expect(await results).toEqual(["first", 0.1, "third"]);
    expect(channel.inFlight).toBe(0);
    const pings = pingsIn(log, "sent");
    // After the first reply, and after the second unless the third came with it.
    expect(pings.length).toBeGreaterThanOrEqual(1);
    expect(pings.length).toBeLessThanOrEqual(2);
    expect(pings.every((ping) => ping.data === "ping")).toBe(true);
    // The first PING follows the first reply, before the second.
    const firstPing = log.findIndex((entry) => entry.type === MessageType.PING);
    const replies = log.filter((entry) => entry.type === MessageType.RESULT);
    expect(log.indexOf(replies[0]!)).toBeLessThan(firstPing);
    expect(log.indexOf(replies[1]!)).toBeGreaterThan(firstPing);
    // A later request's reply comes after the pongs of the PINGs sent before it, which
    // nobody waited for. (Its own wait may bring one more PING: the last pong is a reply
    // that arrives while the request waits, and is acknowledged like any other.)
    expect(await call(channel, 4, "echo", "after")).toBe("after");
    const lastRequest = lastIndexOf(log, "sent", MessageType.INVOKE);
    const lastReply = lastIndexOf(log, "received", MessageType.RESULT);
    const pingsBefore = pingsIn(log.slice(0, lastRequest), "sent");
    const pongsBefore = pingsIn(log.slice(0, lastReply), "received");
    expect(pingsBefore.length).toBeGreaterThanOrEqual(1);
    expect(pongsBefore.map((pong) => pong.data)).toEqual(pingsBefore.map(() => "pong"));
    expect(channel.closed).toBe(false);
    channel.close();
  });

  it("sends no PING for requests one at a time, nor without the option", async () => {
    const single = await logged(true);
    for (let seq = 1; seq <= 5; seq++) {
      expect(await call(single.channel, seq, "echo", seq)).toBe(seq);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const without = await logged(false);
    const burst = [call(without.channel, 1, "echo", 1), call(without.channel, 2, "sleep", 0.05)];
    expect(await Promise.all(burst)).toEqual([1, 0.05]);
    for (const { log } of [single, without]) {
      expect(log.filter((entry) => entry.type === MessageType.PING)).toEqual([]);
    }
    single.channel.close();
    without.channel.close();
  });

  it("keeps acknowledging PINGs bounded through back-to-back bursts (they once multiplied)", async () => {
    // The bound of ack-pings.test.ts (which reproduces the multiplication in a model of
    // the daemon's socket) against the real daemon, each call sleeping 0.5 ms there so that
    // every reply arrives alone and needs its acknowledgement.
    const { channel, log } = await logged(true);
    const perBurst: number[] = [];
    let seq = 0;
    for (let burst = 0; burst < 60; burst++) {
      const before = pingsIn(log, "sent").length;
      const replies = await Promise.all(
        Array.from({ length: 10 }, () => call(channel, ++seq, "sleep", 0.0005)),
      );
      expect(replies).toHaveLength(10);
      perBurst.push(pingsIn(log, "sent").length - before);
    }
    // Up to one per reply read apart, and a bounded few beyond: not hundreds.
    expect(Math.max(...perBurst.slice(-20))).toBeLessThanOrEqual(25);
    channel.close();
  });

  it("gets a burst's last reply without waiting for the delayed acknowledgement (~40 ms)", async () => {
    // The daemon holds its second reply until the first is acknowledged; without the PING
    // this end's kernel acknowledges after 40 ms or more, every time (a latency regression
    // test: the median of 9 bursts, against a bound far from both outcomes).
    const { channel } = await logged(true);
    const median = await medianMs(9, (round) =>
      Promise.all([
        call(channel, 2 * round + 1, "echo", round),
        call(channel, 2 * round + 2, "echo", -round),
      ]),
    );
    expect(median).toBeLessThan(20);
    channel.close();
  });
});

describe("MessageChannel failures against fixtures/protocol_server.py", () => {
  let port = 0;
  beforeAll(async () => {
    port = (await startFixture()).port;
  });

  it("times out: every request in flight fails with the same error and the channel closes", async () => {
    const channel = await handshake(port, "protocol.test");
    const closeReasons: PyroError[] = [];
    channel.onClose((reason) => closeReasons.push(reason));
    const slow = channel.request(invoke(1, "protocol.test", "sleep", [3]), { timeoutMs: 300 });
    const behind = [
      channel.request(invoke(2, "protocol.test", "echo", ["a"])),
      channel.request(invoke(3, "protocol.test", "echo", ["b"]), { timeoutMs: 60_000 }),
    ];
    const errors = await Promise.all([slow, ...behind].map(rejection));
    expect(errors[0]!.code).toBe("timeout");
    expect(errors[0]!.message).toMatch(/^receiving: timeout/);
    expect(errors[1]).toBe(errors[0]);
    expect(errors[2]).toBe(errors[0]);
    expect(channel.closed).toBe(true);
    expect(closeReasons).toEqual([errors[0]]);
    const after = await rejection(channel.request(invoke(4, "protocol.test", "echo", ["c"])));
    expect(after.code).toBe("connection-closed");
    expect(after.message).toMatch(/^connection is closed \(receiving: timeout/);
  });

  it("does not time out a request that is answered in time", async () => {
    const channel = await handshake(port, "protocol.test");
    const reply = await channel.request(invoke(1, "protocol.test", "echo", [1]), {
      timeoutMs: 20_000,
    });
    expect(parse(reply)).toBe(1);
    expect(channel.closed).toBe(false);
    channel.close();
  });

  it("aborts: every request in flight fails with the same 'aborted' error and the channel closes", async () => {
    const channel = await handshake(port, "protocol.test");
    const controller = new AbortController();
    const slow = channel.request(invoke(1, "protocol.test", "sleep", [3]), {
      signal: controller.signal,
    });
    const behind = channel.request(invoke(2, "protocol.test", "echo", ["a"]));
    setTimeout(() => controller.abort(new Error("user pressed stop")), 100);
    const [a, b] = await Promise.all([rejection(slow), rejection(behind)]);
    expect(a.code).toBe("aborted");
    expect(a.message).toMatch(/^call aborted: user pressed stop/);
    expect(b).toBe(a);
    expect(channel.closed).toBe(true);
  });

  it("refuses an already aborted signal without sending and stays open", async () => {
    const channel = await handshake(port, "protocol.test");
    const error = await rejection(
      channel.request(invoke(1, "protocol.test", "echo", ["x"]), { signal: AbortSignal.abort() }),
    );
    expect(error.code).toBe("aborted");
    expect(channel.closed).toBe(false);
    expect(parse(await channel.request(invoke(2, "protocol.test", "echo", ["y"])))).toBe("y");
    channel.close();
  });

  it("fails requests in flight with connection-closed on close()", async () => {
    const channel = await handshake(port, "protocol.test");
    const pending = channel.request(invoke(1, "protocol.test", "sleep", [1]));
    channel.close();
    const error = await rejection(pending);
    expect(error.code).toBe("connection-closed");
    expect(error.message).toBe("connection closed by the client");
  });

  it("refuses to send a message over the max size locally and stays open", async () => {
    const channel = await handshake(port, "protocol.test", { maxMessageSize: 1000 });
    const error = await rejection(
      channel.request(invoke(1, "protocol.test", "echo", ["x".repeat(2000)])),
    );
    expect(error.code).toBe("message-too-large");
    expect(error.message).toMatch(/^max message size exceeded \(\d+ where max=1000\)$/);
    expect(channel.closed).toBe(false);
    channel.close();
  });

  it("closes on a reply over the max size, checked at its header", async () => {
    const channel = await handshake(port, "protocol.test", { maxMessageSize: 1000 });
    const error = await rejection(channel.request(invoke(1, "protocol.test", "text", [5000])));
    expect(error.code).toBe("message-too-large");
    expect(error.message).toMatch(/^max message size exceeded \(5\d\d\d where max=1000\)/);
    expect(channel.closed).toBe(true);
  });

  it("releases the payload of a request it refuses, once", async () => {
    const channel = await handshake(port, "protocol.test", { maxMessageSize: 1000 });
    const released: Uint8Array[] = [];
    const release = (data: Uint8Array): number => released.push(data);
    const tooLarge = invoke(1, "protocol.test", "echo", ["x".repeat(2000)]);
    const aborted = invoke(2, "protocol.test", "echo", ["y"]);
    const noReply = { ...invoke(3, "protocol.test", "echo", ["z"]), type: MessageType.RESULT };
    const refusals = [
      channel.request(tooLarge, { release }),
      channel.request(aborted, { release, signal: AbortSignal.abort() }),
      channel.request(noReply, { release }),
    ];
    expect((await Promise.all(refusals.map(rejection))).map((e) => e.code)).toEqual([
      "message-too-large",
      "aborted",
      "protocol",
    ]);
    channel.close();
    const closed = invoke(4, "protocol.test", "echo", ["w"]);
    expect((await rejection(channel.request(closed, { release }))).code).toBe("connection-closed");
    expect(released).toEqual([tooLarge.data, aborted.data, noReply.data, closed.data]);
  });

  it("reports connection-closed when the daemon is killed mid-call", async () => {
    const own = await startFixture();
    const channel = await handshake(own.port, "protocol.test");
    const call = channel.request(invoke(1, "protocol.test", "sleep", [30]));
    const queued = channel.request(invoke(2, "protocol.test", "echo", ["never"]));
    const failures = Promise.all([rejection(call), rejection(queued)]);
    await own.stop();
    const [a, b] = await failures;
    expect(a.code).toBe("connection-closed");
    expect(a.message).toMatch(/^receiving: (not enough data|connection lost: )/);
    expect(b).toBe(a);
  });
});

describe("MessageChannel close() over pyrogen's own plain sockets (fixtures/protocol_server.py)", () => {
  let port = 0;
  beforeAll(async () => {
    port = (await startFixture()).port;
  });

  it("closes the socket at once when nothing is left to write, as Pyro4 does", async () => {
    const { socket, channel } = await openDirect(port);
    expect(parse(await channel.request(invoke(1, "protocol.test", "echo", ["x"])))).toBe("x");
    channel.close();
    // Closed before close() returns: the FIN leaves before the caller's next connect.
    expect(socket.destroyed).toBe(true);
    await once(socket, "close");
  });

  it.each([10, 20_000_000])(
    "delivers a oneway call of %i characters written just before close()",
    { timeout: 30_000 },
    async (size) => {
      const { socket, channel } = await openDirect(port);
      const key = `before-close-${size}`;
      channel.send(
        msg(
          MessageType.INVOKE,
          1,
          { object: "protocol.test", method: "keep", params: [key, "v".repeat(size)], kwargs: {} },
          MessageFlag.ONEWAY,
        ),
      );
      // The small one is written before send() returns; the large one is still queued.
      expect(socket.writableLength > 0).toBe(size > 1_000_000);
      channel.close();
      await once(socket, "close");
      // Pyro4 runs oneway calls in a thread of their own: look until it has run.
      const { channel: other } = await openDirect(port);
      let kept: unknown = null;
      for (let seq = 1; kept === null && seq <= 100; seq++) {
        kept = parse(await other.request(invoke(seq, "protocol.test", "kept", [key])));
        if (kept === null) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      other.close();
      expect(kept).toBe("v".repeat(size));
    },
  );
});

describe("MessageChannel with HMAC and compression (real daemons)", () => {
  it("signs and verifies with a shared key; refuses a daemon that signs when we do not", async () => {
    const { port } = await startFixture(["--hmac", "channel-key"]);
    const key = utf8("channel-key");
    const channel = await handshake(port, "protocol.test", { hmacKey: key });
    const reply = await channel.request(invoke(1, "protocol.test", "echo", ["signed"]));
    expect(reply.annotations.get("HMAC")?.length).toBe(20);
    expect(parse(reply)).toBe("signed");
    // An acknowledging PING is signed too, and so is its pong.
    const acking = await handshake(port, "protocol.test", {
      hmacKey: key,
      ackPingSerializerId: 42,
    });
    const burst = [
      acking.request(invoke(1, "protocol.test", "echo", ["first"])),
      acking.request(invoke(2, "protocol.test", "sleep", [0.05])),
    ];
    expect((await Promise.all(burst)).map(parse)).toEqual(["first", 0.05]);
    expect(parse(await acking.request(invoke(3, "protocol.test", "echo", ["after"])))).toBe(
      "after",
    );
    expect(acking.closed).toBe(false);
    acking.close();
    channel.close();

    // The daemon answers an unsigned CONNECT with a signed CONNECTFAIL.
    const unsigned = await open(port);
    const error = await rejection(unsigned.request(connectMsg("protocol.test")));
    expect(error.code).toBe("security");
    expect(error.message).toMatch(/^hmac key config not symmetric/);
    expect(unsigned.closed).toBe(true);
  });

  it("inflates compressed replies and sends compressed requests the daemon understands", async () => {
    const { port } = await startFixture(["--compression"]);
    const channel = await handshake(port, "protocol.test", { compress: true });
    const big = "compressible ".repeat(400);
    const reply = await channel.request(invoke(1, "protocol.test", "echo", [big]));
    expect(parse(reply)).toBe(big);
    expect(reply.flags & MessageFlag.COMPRESSED).toBe(0);
    const text = await channel.request(invoke(2, "protocol.test", "text", [100_000]));
    expect(parse(text)).toBe("x".repeat(100_000));
    channel.close();
  });
});

describe("MessageChannel edge cases (a hand-fed stream stands in for the socket)", () => {
  /** A duplex whose incoming side the test pushes; what the channel writes is collected. */
  function fakeSocket(): { stream: Duplex; written: Uint8Array[] } {
    const written: Uint8Array[] = [];
    const stream = new Duplex({
      read() {},
      write(chunk: Uint8Array, _encoding, callback) {
        written.push(chunk);
        callback();
      },
    });
    return { stream, written };
  }

  const reply = (type: number, seq: number, payload: unknown): Uint8Array =>
    encodeMessage(msg(type, seq, payload));

  it("writes each message with exactly one write", () => {
    const { stream, written } = fakeSocket();
    const channel = new MessageChannel(stream, pyro4Frames);
    channel.send(invoke(1, "o", "m", ["x".repeat(1000)]));
    void channel.request(invoke(2, "o", "m", [])).catch(() => undefined);
    expect(written).toHaveLength(2);
    channel.close();
  });

  it("accepts a CONNECTFAIL with seq 0 for a CONNECT with another seq (Pyro4 does so)", async () => {
    const { stream } = fakeSocket();
    const channel = new MessageChannel(stream, pyro4Frames);
    const pending = channel.request({ ...connectMsg("x"), seq: 5 });
    stream.push(reply(MessageType.CONNECTFAIL, 0, "header checksum mismatch"));
    expect((await pending).type).toBe(MessageType.CONNECTFAIL);
  });

  it("refuses a reply of the wrong type", async () => {
    const { stream } = fakeSocket();
    const channel = new MessageChannel(stream, pyro4Frames);
    const pending = channel.request(invoke(1, "o", "m", []));
    stream.push(reply(MessageType.CONNECTOK, 1, "hello"));
    const error = await rejection(pending);
    expect(error.code).toBe("protocol");
    expect(error.message).toBe("invalid msg type 2 received");
    expect(channel.closed).toBe(true);
  });

  it("fails with 'receiving: not enough data' on EOF in the middle of a message", async () => {
    const { stream } = fakeSocket();
    const channel = new MessageChannel(stream, pyro4Frames);
    const pending = channel.request(invoke(1, "o", "m", []));
    stream.push(reply(MessageType.RESULT, 1, "partial").subarray(0, 30));
    stream.push(null);
    const error = await rejection(pending);
    expect(error.code).toBe("connection-closed");
    expect(error.message).toBe("receiving: not enough data");
  });

  it("fails with 'receiving: connection lost: <err>' on a socket error", async () => {
    const { stream } = fakeSocket();
    const channel = new MessageChannel(stream, pyro4Frames);
    const pending = channel.request(invoke(1, "o", "m", []));
    stream.destroy(new Error("boom"));
    const error = await rejection(pending);
    expect(error.code).toBe("connection-closed");
    expect(error.message).toBe("receiving: connection lost: boom");
  });

  it("turns a corrupt reply header into a protocol error that closes the channel", async () => {
    const { stream } = fakeSocket();
    const channel = new MessageChannel(stream, pyro4Frames);
    const pending = channel.request(invoke(1, "o", "m", []));
    stream.push(Buffer.from("HTTP/1.1 400 Bad Request\r\n\r\n"));
    const error = await rejection(pending);
    expect(error.code).toBe("protocol");
    expect(error.message).toMatch(/^invalid data or unsupported protocol version/);
    expect(channel.closed).toBe(true);
  });

  it("calls onClose listeners once, also when registered after the close", async () => {
    const { stream } = fakeSocket();
    const channel = new MessageChannel(stream, pyro4Frames);
    const seen: string[] = [];
    channel.onClose((r) => seen.push(`before: ${r.message}`));
    channel.close();
    channel.close();
    const late = new Promise<void>((resolve) =>
      channel.onClose((r) => {
        seen.push(`after: ${r.message}`);
        resolve();
      }),
    );
    await late;
    expect(seen).toEqual([
      "before: connection closed by the client",
      "after: connection closed by the client",
    ]);
  });
});
