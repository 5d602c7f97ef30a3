import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { PyroError } from "../../src/runtime/errors.js";
import { MessageFlag, MessageType } from "../../src/runtime/protocol/constants.js";
import { computeHmac } from "../../src/runtime/protocol-pyro4/hmac.js";
import { type Message } from "../../src/runtime/protocol/message.js";
import { runPython } from "../harness/python.js";
import { PROTOCOL_VERSION, Pyro4Flag } from "../../src/runtime/protocol-pyro4/constants.js";
import { decodeHeader, encodeMessage } from "../../src/runtime/protocol-pyro4/frames.js";

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const fromHex = (s: string): Uint8Array =>
  Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));

function message(fields: Partial<Message> = {}): Message {
  return {
    type: MessageType.INVOKE,
    flags: 0,
    seq: 1,
    serializerId: 2,
    annotations: new Map(),
    data: text("{}"),
    ...fields,
  };
}

function expectPyroError(fn: () => unknown, code: string, pattern: RegExp): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PyroError);
    expect((error as PyroError).code).toBe(code);
    expect((error as PyroError).message).toMatch(pattern);
    return;
  }
  expect.fail(`expected a ${code} error matching ${pattern}`);
}

/** A header with every field chosen by the test, checksum computed the way Pyro4 does. */
function rawHeader(f: {
  magic?: string;
  version?: number;
  dataSize?: number;
  checksumDelta?: number;
}) {
  const b = Buffer.alloc(24);
  b.write(f.magic ?? "PYRO", 0, "latin1");
  const version = f.version ?? PROTOCOL_VERSION;
  const dataSize = f.dataSize ?? 0;
  b.writeUInt16BE(version, 4);
  b.writeUInt16BE(MessageType.RESULT, 6);
  b.writeInt32BE(dataSize, 12);
  b.writeUInt16BE(2, 16);
  const checksum =
    (MessageType.RESULT + version + dataSize + 2 + 0x34e9 + (f.checksumDelta ?? 0)) & 0xffff;
  b.writeUInt16BE(checksum, 22);
  return b;
}

describe("encodeMessage", () => {
  it("reproduces the captured serpent CONNECT captured from Pyro4 byte for byte", () => {
    const payload = text(
      "# serpent utf-8 python3.2\n{'handshake':'hello','object':'test.echoserver'}",
    );
    expect(payload.length).toBe(74);
    const bytes = encodeMessage({
      type: MessageType.CONNECT,
      flags: Pyro4Flag.META_ON_CONNECT,
      seq: 0,
      serializerId: 1,
      annotations: new Map(),
      data: payload,
    });
    expect(hex(bytes.subarray(0, 24))).toBe(
      "5059524f0030000100100000" + "0000004a000100000000" + "3575",
    );
    expect(hex(bytes.subarray(24))).toBe(hex(payload));
  });

  it("reproduces the captured json RESULT with its CORR chunk", () => {
    const corr = fromHex("80d38d4ad6b941c2a2cc7f0dab52f8ff");
    const bytes = encodeMessage({
      type: MessageType.RESULT,
      flags: 0,
      seq: 1,
      serializerId: 2,
      annotations: new Map([["CORR", corr]]),
      data: text('"hello"'),
    });
    expect(hex(bytes)).toBe(
      "5059524f003000050000000100000007000200160000353e" +
        "434f52520010" +
        "80d38d4ad6b941c2a2cc7f0dab52f8ff" +
        hex(text('"hello"')),
    );
  });

  it("signs with HMAC-SHA1 as in a live Pyro4 example (key 'secret')", () => {
    const key = text("secret");
    const invoke = encodeMessage(
      message({
        serializerId: 1,
        data: text("# serpent utf-8 python3.2\n('lab','echo',('hmac ok',),{})"),
      }),
      { hmacKey: key },
    );
    // 24-byte header, then the only chunk: "HMAC", length 20, the digest.
    expect(hex(invoke.subarray(24, 30))).toBe("484d41430014");
    expect(hex(invoke.subarray(30, 50))).toBe("c6fa52fab68c24d51f4f4cde87c20b5640a6d140");

    const result = encodeMessage(
      message({
        type: MessageType.RESULT,
        serializerId: 1,
        annotations: new Map([["CORR", fromHex("ec4870ef4a8645f8952daf422889db8e")]]),
        data: text("# serpent utf-8 python3.2\n'hmac ok'"),
      }),
      { hmacKey: key },
    );
    // CORR first (22 bytes), HMAC added last.
    expect(hex(result.subarray(46, 52))).toBe("484d41430014");
    expect(hex(result.subarray(52, 72))).toBe("10e71fc2aa4b90c0d207f4dec90cb506586298ba");
  });

  it("replaces a stale HMAC chunk, sorts the other values by key, and ignores an empty key", () => {
    const key = text("k");
    const annotations = new Map([
      ["ZZZZ", text("z")],
      ["HMAC", new Uint8Array(20)],
      ["AAAA", text("a")],
    ]);
    const data = text("payload");
    const bytes = encodeMessage(message({ annotations, data }), { hmacKey: key });
    const digest = computeHmac(key, data, annotations);
    expect(hex(bytes.subarray(bytes.length - data.length - 20, bytes.length - data.length))).toBe(
      hex(digest),
    );
    expect(encodeMessage(message(), { hmacKey: new Uint8Array(0) })).toEqual(
      encodeMessage(message()),
    );
  });

  it("compresses only payloads of at least 200 bytes that get strictly smaller", () => {
    const long = text("compress me ".repeat(50));
    const compressed = encodeMessage(message({ data: long }), { compress: true });
    const header = decodeHeader(compressed);
    expect(header.flags & MessageFlag.COMPRESSED).toBe(MessageFlag.COMPRESSED);
    expect(header.dataSize).toBeLessThan(long.length);
    expect(hex(compressed.subarray(24, 26))).toBe("789c");

    const short = text("y".repeat(199));
    expect(decodeHeader(encodeMessage(message({ data: short }), { compress: true })).flags).toBe(0);

    // Random bytes do not deflate: sent as they are.
    const random = randomBytes(4096);
    const sent = decodeHeader(encodeMessage(message({ data: random }), { compress: true }));
    expect(sent.flags).toBe(0);
    expect(sent.dataSize).toBe(random.length);

    const already = encodeMessage(message({ flags: MessageFlag.COMPRESSED, data: long }), {
      compress: true,
    });
    expect(decodeHeader(already).dataSize).toBe(long.length);
  });

  it("lets Python's zlib inflate what it compressed, and Python's Pyro4 build the same frame", () => {
    const data = text(
      JSON.stringify({ object: "x", method: "m", params: ["a".repeat(500)], kwargs: {} }),
    );
    const ours = encodeMessage(
      message({ seq: 7, annotations: new Map([["CORR", fromHex("11".repeat(16))]]), data }),
      { compress: true, hmacKey: text("key") },
    );
    const theirs = runPython(
      [
        "import sys, zlib, binascii",
        "from Pyro4.message import Message",
        "data = sys.stdin.buffer.read()",
        "c = zlib.compress(data)",
        "m = Message(4, c, 2, 2, 7, {'CORR': b'\\x11' * 16}, hmac_key=b'key')",
        "print(binascii.hexlify(m.to_bytes()).decode())",
        "print(zlib.decompress(c) == data)",
      ].join("\n"),
      { input: data },
    ).split("\n");
    // Node's zlib deflates differently from Python's for some inputs, so compare the
    // header fields and what each compressed form inflates to, not the compressed bytes.
    const py = fromHex(theirs[0]!);
    expect(theirs[1]).toBe("True");
    const a = decodeHeader(ours);
    const b = decodeHeader(py);
    expect({ ...a, dataSize: 0, checksum: 0 }).toEqual({ ...b, dataSize: 0, checksum: 0 });
    const inflated = runPython(
      "import sys, zlib; b = sys.stdin.buffer.read(); print(zlib.decompress(b[24 + 22 + 26:]).decode())",
      { input: ours },
    ).trimEnd();
    expect(inflated).toBe(new TextDecoder().decode(data));
  });

  it("matches Python's Message.to_bytes exactly for uncompressed messages with annotations", () => {
    const py = runPython(
      [
        "import binascii",
        "from Pyro4.message import Message",
        "m = Message(5, b'# serpent utf-8 python3.2\\n42', 1, 0x21, 65535, {'CORR': b'c' * 16, 'STRM': b'stream-id'}, hmac_key=b'fixture-hmac-key')",
        "print(binascii.hexlify(m.to_bytes()).decode())",
      ].join("\n"),
    ).trim();
    const ours = encodeMessage(
      {
        type: 5,
        flags: 0x21,
        seq: 65535,
        serializerId: 1,
        annotations: new Map([
          ["CORR", text("c".repeat(16))],
          ["STRM", text("stream-id")],
        ]),
        data: text("# serpent utf-8 python3.2\n42"),
      },
      { hmacKey: text("fixture-hmac-key") },
    );
    expect(hex(ours)).toBe(py);
  });

  it("refuses annotation keys that are not 4 ASCII characters", () => {
    for (const key of ["abc", "abcde", "", "héll"]) {
      expectPyroError(
        () => encodeMessage(message({ annotations: new Map([[key, new Uint8Array(1)]]) })),
        "protocol",
        /^annotation key must be of length 4/,
      );
    }
  });

  it("refuses annotation blocks larger than 65535 bytes", () => {
    const annotations = new Map([
      ["AAAA", new Uint8Array(40000)],
      ["BBBB", new Uint8Array(40000)],
    ]);
    expectPyroError(() => encodeMessage(message({ annotations })), "protocol", /at most 65535/);
  });

  it("refuses messages over the max size with Pyro4's message, counting annotations and HMAC", () => {
    const data = new Uint8Array(1000);
    expectPyroError(
      () => encodeMessage(message({ data }), { maxMessageSize: 999 }),
      "message-too-large",
      /^max message size exceeded \(1000 where max=999\)$/,
    );
    expect(encodeMessage(message({ data }), { maxMessageSize: 1000 }).length).toBe(1024);
    expectPyroError(
      () => encodeMessage(message({ data }), { maxMessageSize: 1000, hmacKey: text("k") }),
      "message-too-large",
      /^max message size exceeded \(1026 where max=1000\)$/,
    );
  });

  it("refuses header fields that do not fit 16 bits", () => {
    expectPyroError(
      () => encodeMessage(message({ seq: 65536 })),
      "protocol",
      /sequence number 65536/,
    );
    expectPyroError(() => encodeMessage(message({ type: -1 })), "protocol", /message type -1/);
    expectPyroError(() => encodeMessage(message({ flags: 1.5 })), "protocol", /flags 1.5/);
    expectPyroError(
      () => encodeMessage(message({ serializerId: 70000 })),
      "protocol",
      /serializer id/,
    );
  });
});

describe("decodeHeader", () => {
  it("parses every field of a valid header", () => {
    const bytes = encodeMessage(
      message({ type: 6, flags: 0x12, seq: 513, serializerId: 42, data: text("ping") }),
    );
    expect(decodeHeader(bytes)).toEqual({
      type: 6,
      flags: 0x12,
      seq: 513,
      dataSize: 4,
      serializerId: 42,
      annotationsSize: 0,
      checksum: (6 + 48 + 4 + 0 + 42 + 0x12 + 513 + 0x34e9) & 0xffff,
    });
  });

  it("ignores the reserved field", () => {
    const bytes = Buffer.from(encodeMessage(message()));
    bytes.writeUInt16BE(0xbeef, 20);
    expect(decodeHeader(bytes).seq).toBe(1);
  });

  it("refuses short headers", () => {
    expectPyroError(
      () => decodeHeader(new Uint8Array(23)),
      "protocol",
      /^header data size mismatch/,
    );
  });

  it("refuses a wrong magic or protocol version with one message", () => {
    for (const bad of [
      rawHeader({ magic: "PYRX" }),
      rawHeader({ version: 47 }),
      Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n"),
    ]) {
      expectPyroError(
        () => decodeHeader(bad),
        "protocol",
        /^invalid data or unsupported protocol version/,
      );
    }
  });

  it("refuses a bad checksum", () => {
    expectPyroError(
      () => decodeHeader(rawHeader({ checksumDelta: 1 })),
      "protocol",
      /^header checksum mismatch/,
    );
  });

  it("refuses a negative data length even with a matching checksum", () => {
    expectPyroError(
      () => decodeHeader(rawHeader({ dataSize: -5 })),
      "protocol",
      /^invalid data length -5 in header/,
    );
  });
});
