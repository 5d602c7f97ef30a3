/**
 * pyrogen's Pyro5 codec (src/runtime/protocol-pyro5) against the Pyro5 5.16 captures: its
 * reader parses every complete Pyro5 message as the capture index describes it (header
 * fields, correlation id, annotations with 32-bit lengths, inflated payloads), its encoder
 * writes every uncompressed one back byte for byte, and a Pyro4 header is a version mismatch
 * that names the peer's version (what detection acts on).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { MessageFlag } from "../../src/runtime/protocol/constants.js";
import { MessageReader } from "../../src/runtime/protocol/reader.js";
import { peerVersionOf } from "../../src/runtime/protocol/version.js";
import { pyro4 } from "../../src/runtime/protocol-pyro4/index.js";
import { pyro5 } from "../../src/runtime/protocol-pyro5/index.js";
import { ROOT } from "../harness/python.js";

const VECTORS = path.join(ROOT, "test", "vectors", "pyro5-5.16");
const CORR_ID = 0x40;

interface Indexed {
  file: string;
  complete: boolean;
  transport: string;
  protocol?: string;
  msg_type?: number;
  serializer_id?: number;
  flags?: number;
  seq?: number;
  correlation_id?: string;
  annotations?: { name: string; hex: string }[];
  payload_hex?: string;
  magic_number?: number;
}

const index = JSON.parse(readFileSync(path.join(VECTORS, "index.json"), "utf8")) as {
  messages: Indexed[];
};
// Whole Pyro5 messages, except the ones bent on purpose (a wrong magic number).
const pyro5Messages = index.messages.filter(
  (m) => m.complete && m.transport === "tcp" && m.protocol === "pyro5" && m.magic_number === 0x4dc5,
);
const pyro4Messages = index.messages.filter(
  (m) => m.complete && m.transport === "tcp" && m.protocol === "pyro4",
);

function read(bytes: Uint8Array, protocol = pyro5) {
  const reader = new MessageReader(protocol.frames, { inflate: true });
  reader.push(bytes);
  return reader.read();
}

describe("pyrogen's Pyro5 codec on the captures", () => {
  it("covers many messages", () => {
    expect(pyro5Messages.length).toBeGreaterThan(1000);
    expect(pyro4Messages.length).toBeGreaterThan(0);
  });

  it("reads every Pyro5 message as the index describes it", () => {
    for (const m of pyro5Messages) {
      const bytes = readFileSync(path.join(VECTORS, m.file));
      const msg = read(bytes);
      expect(msg, m.file).toBeDefined();
      expect([msg!.type, msg!.serializerId, msg!.seq], m.file).toEqual([
        m.msg_type,
        m.serializer_id,
        m.seq,
      ]);
      // The reader inflates and clears COMPRESSED; every other bit is as sent.
      expect(msg!.flags, m.file).toBe(m.flags! & ~MessageFlag.COMPRESSED);
      const corr = (m.flags! & CORR_ID) !== 0 ? m.correlation_id : undefined;
      expect(
        msg!.correlationId === undefined
          ? undefined
          : Buffer.from(msg!.correlationId).toString("hex"),
        m.file,
      ).toBe(corr);
      expect(
        [...msg!.annotations].map(([name, value]) => ({
          name,
          hex: Buffer.from(value).toString("hex"),
        })),
        m.file,
      ).toEqual((m.annotations ?? []).map(({ name, hex }) => ({ name, hex })));
      if ((m.flags! & MessageFlag.COMPRESSED) === 0 && m.payload_hex !== undefined) {
        expect(Buffer.from(msg!.data).toString("hex"), m.file).toBe(m.payload_hex);
      }
    }
  });

  it("reads a correlation id into memory of its own, not a view of the header bytes", () => {
    const m = pyro5Messages.find((message) => (message.flags! & CORR_ID) !== 0)!;
    const bytes = readFileSync(path.join(VECTORS, m.file));
    const header = pyro5.frames.decodeHeader(bytes, 0);
    // The reader reads the next message's header into the same bytes.
    bytes.fill(0);
    expect(Buffer.from(header.correlationId!).toString("hex")).toBe(m.correlation_id);
  });

  it("writes every uncompressed Pyro5 message back to the captured bytes", () => {
    let written = 0;
    for (const m of pyro5Messages) {
      if ((m.flags! & MessageFlag.COMPRESSED) !== 0) continue;
      const bytes = readFileSync(path.join(VECTORS, m.file));
      const msg = read(bytes)!;
      const out = pyro5.frames.encode(msg, {}, true).head;
      expect(Buffer.from(out).equals(bytes), m.file).toBe(true);
      written++;
    }
    expect(written).toBeGreaterThan(1000);
  });

  it("compresses as Pyro5 does: zlib level 4 above 100 bytes", () => {
    const data = Buffer.from("x".repeat(101));
    const parts = pyro5.frames.encode(
      { type: 4, flags: 0, seq: 1, serializerId: 1, annotations: new Map(), data },
      { compress: true },
      false,
    );
    expect(Buffer.from(parts.data).subarray(0, 2).toString("hex")).toBe("785e");
    expect(inflateSync(parts.data).equals(data)).toBe(true);
  });

  it("a Pyro4 header is a version mismatch naming 48, and the other way round 502", () => {
    const four = readFileSync(path.join(VECTORS, pyro4Messages[0]!.file));
    const asFive = (() => {
      try {
        return read(four);
      } catch (error) {
        return error;
      }
    })();
    expect(peerVersionOf(asFive)).toBe(48);
    const five = readFileSync(path.join(VECTORS, pyro5Messages[0]!.file));
    const asFour = (() => {
      try {
        return read(five, pyro4);
      } catch (error) {
        return error;
      }
    })();
    expect(peerVersionOf(asFour)).toBe(502);
  });

  it("refuses an HMAC key: Pyro5 has no message signing", () => {
    expect(() =>
      pyro5.frames.encode(
        {
          type: 4,
          flags: 0,
          seq: 1,
          serializerId: 1,
          annotations: new Map(),
          data: Buffer.from("x"),
        },
        { hmacKey: Buffer.from("k") },
        true,
      ),
    ).toThrow(/Pyro5 has no HMAC message signing/);
  });
});
