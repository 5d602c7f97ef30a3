/**
 * Frames of 4 KiB up to 64 KiB are built in one buffer a channel keeps (on pyrogen's own
 * plain sockets) instead of a fresh allocation per message. A frame still queued or partly
 * written must keep that buffer to itself: these tests send distinct messages faster than
 * the peer reads them, and check every byte that arrives, on a bare socket and against a
 * real Pyro4 daemon.
 */
import { once } from "node:events";
import { createServer, type AddressInfo, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PythonProcesses } from "../harness/python.js";
import { startLab, type LabInfo } from "../proxy/lab.js";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { MessageChannel } from "../../src/runtime/protocol/channel.js";
import { MessageType } from "../../src/runtime/protocol/constants.js";
import { KeptFrame } from "../../src/runtime/protocol/kept-frame.js";
import type { Message } from "../../src/runtime/protocol/message.js";
import { encodeMessage, pyro4Frames } from "../../src/runtime/protocol-pyro4/frames.js";
import { MessageReader } from "../../src/runtime/protocol/reader.js";
import { directReadsOf } from "../../src/runtime/transport/direct-reads.js";
import { openDirectStream } from "../../src/runtime/transport/open-stream.js";

const python = new PythonProcesses();
let lab: LabInfo;
beforeAll(async () => {
  lab = await startLab(python);
});
afterAll(() => python.stopAll());

/** A message whose payload of `size` bytes is different for every `n`. */
function numbered(n: number, size: number): Message {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i++) data[i] = (n * 7 + i * 31 + (i >> 8)) & 0xff;
  return {
    type: MessageType.INVOKE,
    flags: 0,
    seq: n & 0xffff,
    serializerId: 4,
    annotations: new Map(),
    data,
  };
}

describe("KeptFrame", () => {
  const parts = (n: number) => ({ head: new Uint8Array([n, n]), data: new Uint8Array([n, n, n]) });

  it("joins head and payload, and reuses its buffer once the kernel took a frame whole", () => {
    const kept = new KeptFrame();
    const first = kept.join(parts(1));
    expect([...first]).toEqual([1, 1, 1, 1, 1]);
    expect(kept.holds(first)).toBe(true);
    kept.wrote(0); // the kernel has it all
    expect(kept.holds(first)).toBe(false);
    const second = kept.join(parts(2));
    expect([...second]).toEqual([2, 2, 2, 2, 2]);
    expect(second.buffer).toBe(first.buffer);
  });

  it("leaves the buffer of a frame still queued to the stream", () => {
    const kept = new KeptFrame();
    const first = kept.join(parts(1));
    kept.wrote(5); // still queued: the stream reads it later
    const second = kept.join(parts(2));
    expect(second.buffer).not.toBe(first.buffer);
    expect([...first]).toEqual([1, 1, 1, 1, 1]);
    expect([...second]).toEqual([2, 2, 2, 2, 2]);
  });
});

describe("a channel on a plain socket", () => {
  it("delivers every byte of distinct mid-size messages sent faster than the peer reads", async () => {
    const server = createServer({ pauseOnConnect: true });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const accepted = once(server, "connection") as Promise<[Socket]>;
    const { port } = server.address() as AddressInfo;
    const socket = await openDirectStream(`PYRO:x@127.0.0.1:${port}`, { timeoutMs: 5000 });
    const channel = new MessageChannel(socket, pyro4Frames, { directReads: directReadsOf(socket) });
    const [peer] = await accepted;
    try {
      const sizes = [4 * 1024, 10 * 1024, 5000, 64 * 1024 - 1, 20_000];
      const sent = Array.from({ length: 600 }, (_, n) => numbered(n, sizes[n % sizes.length]!));
      for (const msg of sent) channel.send(msg);
      // The peer reads nothing yet: later frames wait in the socket's queue, the kept buffer busy.
      expect(socket.writableLength).toBeGreaterThan(0);
      const total = sent.reduce((sum, msg) => sum + encodeMessage(msg).length, 0);
      const chunks: Buffer[] = [];
      let got = 0;
      peer.on("data", (chunk: Buffer) => {
        chunks.push(chunk);
        got += chunk.length;
      });
      peer.resume();
      while (got < total) await once(peer, "data");
      const reader = new MessageReader(pyro4Frames);
      reader.push(Buffer.concat(chunks));
      const received: Message[] = [];
      for (let msg = reader.read(); msg !== undefined; msg = reader.read()) received.push(msg);
      expect(received.length).toBe(sent.length);
      for (let n = 0; n < sent.length; n++) {
        expect(received[n]!.seq).toBe(n);
        expect(Buffer.compare(received[n]!.data, sent[n]!.data)).toBe(0);
      }
    } finally {
      channel.close();
      peer.destroy();
      server.close();
    }
  });

  it("frames a message as encodeMessage does, in the kept buffer or not", async () => {
    const server = createServer();
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const chunks: Buffer[] = [];
    const ended = new Promise<void>((resolve) =>
      server.once("connection", (peer: Socket) => {
        peer.on("data", (chunk: Buffer) => chunks.push(chunk));
        peer.on("end", resolve);
      }),
    );
    const { port } = server.address() as AddressInfo;
    const socket = await openDirectStream(`PYRO:x@127.0.0.1:${port}`, { timeoutMs: 5000 });
    const channel = new MessageChannel(socket, pyro4Frames, {
      hmacKey: new Uint8Array([1, 2, 3]),
      directReads: directReadsOf(socket),
    });
    const sent = [100, 4096, 12_345, 4096].map((size, n) => numbered(n, size));
    for (const msg of sent) channel.send(msg);
    channel.close();
    await ended;
    server.close();
    const expected = sent.map((msg) => encodeMessage(msg, { hmacKey: new Uint8Array([1, 2, 3]) }));
    expect(Buffer.compare(Buffer.concat(chunks), Buffer.concat(expected))).toBe(0);
  });
});

describe.each(["marshal", "msgpack", "json", "serpent"] as const)(
  "%s through Pyro4",
  (serializer) => {
    it("100 pipelined echoes of distinct 10 KiB strings each come back as sent", async () => {
      await using proxy = new PyroProxy(lab.uri, { serializer });
      const texts = Array.from({ length: 100 }, (_, n) =>
        `${n}:`.padEnd(10 * 1024, String.fromCharCode(97 + (n % 26))),
      );
      const echoed = await Promise.all(texts.map((text) => proxy.$call("echo", [text])));
      expect(echoed).toEqual(texts);
    });
  },
);
