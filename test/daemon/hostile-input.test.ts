/**
 * Bad input from a peer gets Pyro's answer (CONNECTFAIL, an exception reply) or a closed
 * connection — and the daemon keeps serving everyone else.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Daemon } from "../../src/runtime/daemon/daemon.js";
import { MessageFlag, MessageType } from "../../src/runtime/protocol/constants.js";
import type { Message } from "../../src/runtime/protocol/message.js";
import { createSerializer } from "../../src/runtime/serializers/index.js";
import { CALCULATOR_EXPOSE, Calculator } from "./objects.js";
import { RawClient, type RawEvent } from "./raw-client.js";
import { dumpsCall } from "../serializers/codec-helpers.js";
import { Pyro4Flag } from "../../src/runtime/protocol-pyro4/constants.js";

const json = createSerializer("json");
const marshal = createSerializer("marshal");
const logged: unknown[] = [];
let daemon: Daemon;
let port: number;

beforeAll(async () => {
  daemon = await Daemon.start({
    host: "127.0.0.1",
    maxMessageSize: 100_000,
    compression: true,
    logger: (_message, error) => logged.push(error),
  });
  daemon.register(new Calculator(), { id: "calc", expose: CALCULATOR_EXPOSE });
  port = daemon.port!;
});
afterAll(() => daemon.close());

function asMessage(event: RawEvent): Message {
  if (event === "closed") throw new Error("expected a message, the connection closed");
  return event;
}

/** A connected raw client (CONNECT/CONNECTOK done, json). */
async function connected(): Promise<RawClient> {
  const client = await RawClient.connect(port);
  client.send({ type: MessageType.CONNECT, data: json.dumps({ handshake: "hello" }) });
  expect(asMessage(await client.next()).type).toBe(MessageType.CONNECTOK);
  return client;
}

function invoke(
  client: RawClient,
  seq: number,
  method: string,
  vargs: unknown[],
  objectId = "calc",
): void {
  client.send({
    type: MessageType.INVOKE,
    seq,
    data: dumpsCall(json, { objectId, method, vargs, kwargs: {} }),
  });
}

/** The daemon still answers a fresh, well-behaved client. */
async function stillServing(): Promise<void> {
  const client = await connected();
  invoke(client, 1, "add", [20, 22]);
  expect(json.loads(asMessage(await client.next()).data)).toBe(42);
  client.close();
}

describe("before the handshake", () => {
  test("garbage gets a marshal CONNECTFAIL with seq 0, then the connection closes", async () => {
    const client = await RawClient.connect(port);
    client.write(Buffer.from("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    const reply = asMessage(await client.next());
    expect(reply.type).toBe(MessageType.CONNECTFAIL);
    expect(reply.serializerId).toBe(3);
    expect(reply.seq).toBe(0);
    expect(marshal.loads(reply.data)).toContain("invalid data or unsupported protocol version");
    expect(await client.next()).toBe("closed");
  });

  test("an INVOKE before CONNECT is refused with 'invalid msg type 4 received'", async () => {
    const client = await RawClient.connect(port);
    invoke(client, 7, "add", [1, 2]);
    const reply = asMessage(await client.next());
    expect(reply.type).toBe(MessageType.CONNECTFAIL);
    expect(marshal.loads(reply.data)).toBe("invalid msg type 4 received");
    expect(await client.next()).toBe("closed");
  });

  test("an unknown serializer id is refused", async () => {
    const client = await RawClient.connect(port);
    client.send({ type: MessageType.CONNECT, seq: 3, serializerId: 99, data: Buffer.from("x") });
    const reply = asMessage(await client.next());
    expect(reply.seq).toBe(3);
    expect(marshal.loads(reply.data)).toBe("message used serializer that is not accepted: 99");
  });

  test("a CONNECT without 'handshake' or for an unknown object is refused in the client's serializer", async () => {
    const a = await RawClient.connect(port);
    a.send({ type: MessageType.CONNECT, data: json.dumps({ hello: 1 }) });
    const first = asMessage(await a.next());
    expect(first.serializerId).toBe(2);
    expect(json.loads(first.data)).toBe("'handshake'");
    const b = await RawClient.connect(port);
    b.send({
      type: MessageType.CONNECT,
      flags: Pyro4Flag.META_ON_CONNECT,
      data: json.dumps({ handshake: "hello", object: "nope" }),
    });
    expect(json.loads(asMessage(await b.next()).data)).toBe("unknown object");
  });

  test("a signed CONNECT to a daemon without a key is refused", async () => {
    const client = await RawClient.connect(port);
    client.send(
      { type: MessageType.CONNECT, data: json.dumps({ handshake: "hello" }) },
      Buffer.from("key"),
    );
    const reply = asMessage(await client.next());
    expect(reply.type).toBe(MessageType.CONNECTFAIL);
    expect(marshal.loads(reply.data)).toContain("hmac key config not symmetric");
  });
});

describe("after the handshake", () => {
  test("PING is answered with pong, same seq and serializer id", async () => {
    const client = await connected();
    client.send({ type: MessageType.PING, seq: 9, serializerId: 42, data: Buffer.from("ping") });
    const reply = asMessage(await client.next());
    expect([reply.type, reply.seq, reply.serializerId]).toEqual([MessageType.PING, 9, 42]);
    expect(Buffer.from(reply.data).toString()).toBe("pong");
    expect(reply.annotations.get("CORR")?.length).toBe(16);
    client.close();
  });

  test("an unknown object id gets a DaemonError and the connection stays usable", async () => {
    const client = await connected();
    invoke(client, 1, "add", [1, 2], "nobody");
    const reply = asMessage(await client.next());
    expect(reply.flags & MessageFlag.EXCEPTION).toBe(MessageFlag.EXCEPTION);
    expect(reply.annotations.has("CORR")).toBe(false);
    expect(json.loads(reply.data)).toMatchObject({
      code: "daemon",
      message: "remote DaemonError: unknown object",
    });
    invoke(client, 2, "add", [1, 2]);
    expect(json.loads(asMessage(await client.next()).data)).toBe(3);
    client.close();
  });

  test("an undecodable call gets a SerializeError reply, then the connection closes", async () => {
    const client = await connected();
    client.send({ type: MessageType.INVOKE, seq: 1, data: Buffer.from("{not json") });
    const reply = asMessage(await client.next());
    expect(reply.flags & MessageFlag.EXCEPTION).toBe(MessageFlag.EXCEPTION);
    expect(json.loads(reply.data)).toMatchObject({ code: "serialize" });
    expect(await client.next()).toBe("closed");
    await stillServing();
  });

  test("an oversized message closes the connection without a reply", async () => {
    const client = await connected();
    invoke(client, 1, "echo", ["x".repeat(200_000)]);
    expect(await client.next()).toBe("closed");
    await stillServing();
  });

  test("a corrupt header closes the connection", async () => {
    const client = await connected();
    const bytes = Buffer.from(
      dumpsCall(json, { objectId: "calc", method: "add", vargs: [1, 2], kwargs: {} }),
    );
    const header = Buffer.alloc(24);
    header.write("PYRO");
    header.writeUInt16BE(48, 4);
    header.writeUInt16BE(MessageType.INVOKE, 6);
    header.writeInt32BE(bytes.length, 12);
    header.writeUInt16BE(0xbeef, 22);
    client.write(Buffer.concat([header, bytes]));
    expect(await client.next()).toBe("closed");
  });

  test("a large reply is compressed when the daemon has compression on", async () => {
    const client = await RawClient.connect(port, { inflate: false });
    client.send({ type: MessageType.CONNECT, data: json.dumps({ handshake: "hello" }) });
    await client.next();
    invoke(client, 1, "echo", ["abc".repeat(1000)]);
    const reply = asMessage(await client.next());
    expect(reply.flags & MessageFlag.COMPRESSED).toBe(MessageFlag.COMPRESSED);
    expect(reply.data.length).toBeLessThan(3000);
    client.close();
  });

  test("KEEPSERIALIZED (SerializedBlob) calls are refused with an exception reply", async () => {
    const client = await connected();
    client.send({
      type: MessageType.INVOKE,
      seq: 1,
      flags: Pyro4Flag.KEEPSERIALIZED,
      data: dumpsCall(json, { objectId: "calc", method: "add", vargs: [1, 2], kwargs: {} }),
    });
    const reply = asMessage(await client.next());
    expect(reply.flags & MessageFlag.EXCEPTION).toBe(MessageFlag.EXCEPTION);
    client.close();
  });

  test("random bytes after the handshake never crash the daemon", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 300 }), async (bytes) => {
        const client = await connected();
        client.write(bytes);
        client.close();
      }),
      { numRuns: 40 },
    );
    await stillServing();
  });

  test("random bodies behind a valid INVOKE header get a reply or a close, never a crash", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 0, maxLength: 200 }),
        fc.constantFrom(1, 2, 3, 6),
        fc.integer({ min: 0, max: 0x7f }),
        async (data, serializerId, flags) => {
          const client = await connected();
          client.send({
            type: MessageType.INVOKE,
            seq: 1,
            serializerId,
            flags: flags & ~MessageFlag.ONEWAY,
            data,
          });
          const event = await client.next();
          if (event !== "closed") expect(event.type).toBe(MessageType.RESULT);
          client.close();
        },
      ),
      { numRuns: 60 },
    );
    await stillServing();
  });
});

test("none of it was an internal daemon error", () => {
  expect(logged).toEqual([]);
});

test("an INVOKE in a serializer the daemon does not accept gets a SerializeError, then a close", async () => {
  await using jsonOnly = await Daemon.start({ host: "127.0.0.1", serializers: ["json"] });
  jsonOnly.register(new Calculator(), { id: "calc", expose: CALCULATOR_EXPOSE });
  const client = await RawClient.connect(jsonOnly.port!);
  client.send({ type: MessageType.CONNECT, data: json.dumps({ handshake: "hello" }) });
  expect(asMessage(await client.next()).type).toBe(MessageType.CONNECTOK);
  client.send({
    type: MessageType.INVOKE,
    seq: 1,
    serializerId: 6,
    data: dumpsCall(createSerializer("msgpack"), {
      objectId: "calc",
      method: "add",
      vargs: [1, 2],
      kwargs: {},
    }),
  });
  const reply = asMessage(await client.next());
  expect(reply.serializerId).toBe(6);
  expect(createSerializer("msgpack").loads(reply.data)).toMatchObject({
    code: "serialize",
    message: "remote SerializeError: message used serializer that is not accepted: 6",
  });
  expect(await client.next()).toBe("closed");
});
