/**
 * Bad input from a peer gets Pyro's answer (CONNECTFAIL, an exception reply) or a closed
 * connection — and the daemon keeps serving everyone else. Hostile bytes in Pyro4's and in
 * Pyro5's header format, against the one listener that answers both.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Daemon } from "../../src/runtime/daemon/daemon.js";
import { MessageType } from "../../src/runtime/protocol/constants.js";
import type { Message } from "../../src/runtime/protocol/message.js";
import type { WireProtocol } from "../../src/runtime/protocol/wire-protocol.js";
import { pyro4 } from "../../src/runtime/protocol-pyro4/index.js";
import { pyro5 } from "../../src/runtime/protocol-pyro5/index.js";
import type { PyroError } from "../../src/runtime/errors.js";
import { createSerializer } from "../../src/runtime/serializers/index.js";
import { GENERATIONS, type Generation } from "../harness/generations.js";
import { CALCULATOR_EXPOSE, Calculator } from "./objects.js";
import { RawClient, type RawEvent } from "./raw-client.js";
import { dumpsCall } from "../serializers/codec-helpers.js";
import { Pyro4Flag } from "../../src/runtime/protocol-pyro4/constants.js";
import { Pyro5Flag } from "../../src/runtime/protocol-pyro5/constants.js";

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

/** The wire protocol, KEEPSERIALIZED flag and CONNECT payload of a generation. */
function wireOf(generation: Generation): {
  protocol: WireProtocol;
  keepSerialized: number;
  connect: Record<string, unknown>;
} {
  return generation.protocol === 4
    ? { protocol: pyro4, keepSerialized: Pyro4Flag.KEEPSERIALIZED, connect: { handshake: "hello" } }
    : {
        protocol: pyro5,
        keepSerialized: Pyro5Flag.KEEPSERIALIZED,
        // A Pyro5 CONNECT always names its object.
        connect: { handshake: "hello", object: "calc" },
      };
}

describe.each(GENERATIONS)("$name framing", (generation) => {
  const { protocol, keepSerialized, connect } = wireOf(generation);
  const JSON_ID = protocol.serializers.id("json");
  const MARSHAL_ID = protocol.serializers.id("marshal");
  const { EXCEPTION, COMPRESSED, ONEWAY } = protocol.flags;
  const raw = (options: { inflate?: boolean } = {}): Promise<RawClient> =>
    RawClient.connect(port, { ...options, protocol });

  /** A connected raw client (CONNECT/CONNECTOK done, json). */
  async function connected(): Promise<RawClient> {
    const client = await raw();
    client.send({ type: MessageType.CONNECT, data: json.dumps(connect) });
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

  /** A header of this generation for `data`, with `edit` applied to its bytes. */
  function header(type: number, dataLength: number, edit: (bytes: Buffer) => void): Buffer {
    const bytes = Buffer.from(
      protocol.frames.encode(
        {
          type,
          flags: 0,
          seq: 1,
          serializerId: JSON_ID,
          annotations: new Map(),
          data: new Uint8Array(dataLength),
        },
        {},
        false,
      ).head,
    );
    edit(bytes);
    return bytes;
  }

  describe("before the handshake", () => {
    test("an INVOKE before CONNECT is refused with 'invalid msg type 4 received'", async () => {
      const client = await raw();
      invoke(client, 7, "add", [1, 2]);
      const reply = asMessage(await client.next());
      expect(reply.type).toBe(MessageType.CONNECTFAIL);
      expect(reply.serializerId).toBe(MARSHAL_ID);
      expect(marshal.loads(reply.data)).toBe("invalid msg type 4 received");
      expect(await client.next()).toBe("closed");
      await stillServing();
    });

    test("an unknown serializer id is refused", async () => {
      const client = await raw();
      client.send({ type: MessageType.CONNECT, seq: 3, serializerId: 99, data: Buffer.from("x") });
      const reply = asMessage(await client.next());
      expect(reply.seq).toBe(3);
      expect(marshal.loads(reply.data)).toBe("message used serializer that is not accepted: 99");
      await stillServing();
    });

    test("a CONNECT without 'handshake' or for an unknown object is refused in the client's serializer", async () => {
      const a = await raw();
      a.send({ type: MessageType.CONNECT, data: json.dumps({ hello: 1, object: "calc" }) });
      const first = asMessage(await a.next());
      expect(first.serializerId).toBe(JSON_ID);
      expect(json.loads(first.data)).toBe("'handshake'");
      const b = await raw();
      b.send({
        type: MessageType.CONNECT,
        flags: generation.protocol === 4 ? Pyro4Flag.META_ON_CONNECT : 0,
        data: json.dumps({ handshake: "hello", object: "nope" }),
      });
      expect(json.loads(asMessage(await b.next()).data)).toBe("unknown object");
    });

    test("a header announcing more than the daemon's maxMessageSize closes the connection", async () => {
      const client = await raw();
      client.write(header(MessageType.CONNECT, 1_000_000, () => undefined));
      expect(await client.next()).toBe("closed");
      await stillServing();
    });

    test("a frame cut off in the middle is dropped with its connection", async () => {
      const client = await raw();
      const whole = Buffer.from(
        protocol.frames.encode(
          {
            type: MessageType.CONNECT,
            flags: 0,
            seq: 0,
            serializerId: JSON_ID,
            annotations: new Map(),
            data: json.dumps(connect),
          },
          {},
          true,
        ).head,
      );
      client.write(whole.subarray(0, protocol.frames.headerSize + 3));
      client.close();
      // Only the header's first bytes: the version is in, the rest never comes.
      const short = await raw();
      short.write(whole.subarray(0, 9));
      short.close();
      await stillServing();
    });
  });

  describe("after the handshake", () => {
    test("PING is answered with pong, same seq and serializer id", async () => {
      const client = await connected();
      client.send({ type: MessageType.PING, seq: 9, serializerId: 42, data: Buffer.from("ping") });
      const reply = asMessage(await client.next());
      expect([reply.type, reply.seq, reply.serializerId]).toEqual([MessageType.PING, 9, 42]);
      expect(Buffer.from(reply.data).toString()).toBe("pong");
      // Pyro4 carries the correlation id in a CORR annotation, Pyro5 in the header.
      expect(reply.annotations.get("CORR")?.length).toBe(
        generation.corrAnnotation ? 16 : undefined,
      );
      client.close();
    });

    test("an unknown object id gets a DaemonError and the connection stays usable", async () => {
      const client = await connected();
      invoke(client, 1, "add", [1, 2], "nobody");
      const reply = asMessage(await client.next());
      expect(reply.flags & EXCEPTION).toBe(EXCEPTION);
      expect(reply.annotations.has("CORR")).toBe(false);
      const error = json.loads(reply.data) as PyroError;
      expect(error).toMatchObject({ code: "daemon", message: "unknown object" });
      expect(error.pythonType).toBe(`${generation.name}.errors.DaemonError`);
      invoke(client, 2, "add", [1, 2]);
      expect(json.loads(asMessage(await client.next()).data)).toBe(3);
      client.close();
    });

    test("an undecodable call gets a SerializeError reply, then the connection closes", async () => {
      const client = await connected();
      client.send({ type: MessageType.INVOKE, seq: 1, data: Buffer.from("{not json") });
      const reply = asMessage(await client.next());
      expect(reply.flags & EXCEPTION).toBe(EXCEPTION);
      const error = json.loads(reply.data) as PyroError;
      expect(error.code).toBe("serialize");
      expect(error.pythonType).toBe(`${generation.name}.errors.SerializeError`);
      expect(await client.next()).toBe("closed");
      await stillServing();
    });

    test("an oversized message closes the connection without a reply", async () => {
      const client = await connected();
      invoke(client, 1, "echo", ["x".repeat(200_000)]);
      expect(await client.next()).toBe("closed");
      await stillServing();
    });

    test("a corrupt header (Pyro4: checksum, Pyro5: magic number) closes the connection", async () => {
      const client = await connected();
      const bytes = Buffer.from(
        dumpsCall(json, { objectId: "calc", method: "add", vargs: [1, 2], kwargs: {} }),
      );
      const last = protocol.frames.headerSize - 2;
      const corrupt = header(MessageType.INVOKE, bytes.length, (head) =>
        head.writeUInt16BE(0xbeef, last),
      );
      client.write(Buffer.concat([corrupt, bytes]));
      expect(await client.next()).toBe("closed");
      await stillServing();
    });

    test("a header of another protocol version after the handshake closes the connection", async () => {
      const client = await connected();
      client.write(header(MessageType.INVOKE, 0, (head) => head.writeUInt16BE(501, 4)));
      expect(await client.next()).toBe("closed");
      await stillServing();
    });

    test("a large reply is compressed when the daemon has compression on", async () => {
      const client = await raw({ inflate: false });
      client.send({ type: MessageType.CONNECT, data: json.dumps(connect) });
      await client.next();
      invoke(client, 1, "echo", ["abc".repeat(1000)]);
      const reply = asMessage(await client.next());
      expect(reply.flags & COMPRESSED).toBe(COMPRESSED);
      expect(reply.data.length).toBeLessThan(3000);
      client.close();
    });

    test("KEEPSERIALIZED (SerializedBlob) calls are refused with an exception reply", async () => {
      const client = await connected();
      client.send({
        type: MessageType.INVOKE,
        seq: 1,
        flags: keepSerialized,
        data: dumpsCall(json, { objectId: "calc", method: "add", vargs: [1, 2], kwargs: {} }),
      });
      const reply = asMessage(await client.next());
      expect(reply.flags & EXCEPTION).toBe(EXCEPTION);
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
      const ids = (["serpent", "json", "marshal", "msgpack"] as const).map((name) =>
        protocol.serializers.id(name),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ minLength: 0, maxLength: 200 }),
          fc.constantFrom(...ids),
          fc.integer({ min: 0, max: 0x7f }),
          async (data, serializerId, flags) => {
            const client = await connected();
            client.send({
              type: MessageType.INVOKE,
              seq: 1,
              serializerId,
              flags: flags & ~ONEWAY,
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

  test("an INVOKE in a serializer the daemon does not accept gets a SerializeError, then a close", async () => {
    await using jsonOnly = await Daemon.start({ host: "127.0.0.1", serializers: ["json"] });
    jsonOnly.register(new Calculator(), { id: "calc", expose: CALCULATOR_EXPOSE });
    const client = await RawClient.connect(jsonOnly.port!, { protocol });
    client.send({ type: MessageType.CONNECT, data: json.dumps(connect) });
    expect(asMessage(await client.next()).type).toBe(MessageType.CONNECTOK);
    const msgpackId = protocol.serializers.id("msgpack");
    client.send({
      type: MessageType.INVOKE,
      seq: 1,
      serializerId: msgpackId,
      data: dumpsCall(createSerializer("msgpack"), {
        objectId: "calc",
        method: "add",
        vargs: [1, 2],
        kwargs: {},
      }),
    });
    const reply = asMessage(await client.next());
    expect(reply.serializerId).toBe(msgpackId);
    const error = createSerializer("msgpack").loads(reply.data) as PyroError;
    expect(error).toMatchObject({
      code: "serialize",
      message: `message used serializer that is not accepted: ${msgpackId}`,
    });
    expect(error.pythonType).toBe(`${generation.name}.errors.SerializeError`);
    expect(await client.next()).toBe("closed");
  });
});

// Not a Pyro message of any generation: the daemon answers in its own (Pyro4's) format.
describe("bytes that are not Pyro at all", () => {
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
});

// Pyro4 only: Pyro5 has no HMAC.
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

test("none of it was an internal daemon error", () => {
  expect(logged).toEqual([]);
});
