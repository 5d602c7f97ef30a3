/**
 * The Pyro5 5.16 captures in test/vectors/pyro5-5.16 (made by scripts/pyro5-capture/capture.py
 * against live Pyro5 peers, see docs/pyro5-protocol.md) are what their index.json says, and
 * they show the protocol facts docs/pyro5-protocol.md builds on: seq/serializer echo, correlation ids,
 * stream starts, 32-bit annotation lengths, and the CONNECTFAIL each generation gives the other.
 * Their payloads decode with pyrogen's serializers to what Python's own decoders give.
 */
import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { PyroError } from "../../src/runtime/errors.js";
import { createSerializer } from "../../src/runtime/serializers/index.js";
import type { Serializer } from "../../src/runtime/serializers/serializer.js";
import { PyComplex, PyTuple, isPlainObject } from "../../src/runtime/values.js";
import { ROOT, runPython } from "../harness/python.js";
import {
  PYRO4_SERIALIZERS,
  PYRO5_MAGIC_NUMBER,
  PYRO5_SERIALIZERS,
  Pyro5Flag,
  parseWireMessage,
  protocolVersionOf,
  type WireMessage,
} from "./pyro5-wire.js";

const VECTORS = path.join(ROOT, "test", "vectors", "pyro5-5.16");

interface IndexedMessage {
  file: string;
  scenario: string;
  client: string;
  target: string;
  connection: number;
  index_in_scenario: number;
  direction: "c2s" | "s2c";
  transport: "tcp" | "udp";
  size: number;
  sha256: string;
  complete: boolean;
  protocol?: "pyro5" | "pyro4";
  protocol_version?: number;
  msg_type?: number;
  msg_type_name?: string;
  serializer_id?: number;
  flags?: number;
  seq?: number;
  data_size?: number;
  annotations_size?: number;
  correlation_id?: string;
  reserved?: number;
  magic_number?: number;
  checksum?: number;
  checksum_ok?: boolean;
  annotations?: { name: string; length: number; hex: string }[];
  payload_text?: string;
  payload_hex?: string;
  decompressed_size?: number;
  compressed_hex_prefix?: string;
  decode_error?: string;
  hex?: string;
  text?: string;
}

interface Scenario {
  client: string;
  target: string;
  message_count: number;
  files: string[];
  outcomes: Record<string, unknown>;
}

const index = JSON.parse(readFileSync(path.join(VECTORS, "index.json"), "utf8")) as {
  pyro5_version: string;
  protocol_version: number;
  scenarios: Record<string, Scenario>;
  messages: IndexedMessage[];
};
const bytesOf = (m: IndexedMessage): Uint8Array => readFileSync(path.join(VECTORS, m.file));
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const messages = index.messages;
const wire = new Map(
  messages
    .filter((m) => m.complete && m.transport === "tcp")
    .map((m) => [m.file, parseWireMessage(bytesOf(m))]),
);
const wireOf = (m: IndexedMessage): WireMessage => wire.get(m.file)!;
/** Daemons that are the real Pyro5 (not the hand-written one that bends its replies on purpose). */
const realPyro5Daemon = (m: IndexedMessage): boolean =>
  m.transport === "tcp" && !["minimal_daemon", "pyro4_echoserver"].includes(m.target);

function binFiles(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const rel = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) return binFiles(path.join(dir, entry.name), rel);
    return entry.name.endsWith(".bin") ? [rel] : [];
  });
}

/** The payload as the serializer sees it (inflated when COMPRESSED). */
function plainPayload(msg: WireMessage): Uint8Array {
  return msg.flags & Pyro5Flag.COMPRESSED ? inflateSync(msg.payload) : msg.payload;
}

/** A daemon reply, the request it answers, and whether that was the connection's first message. */
interface Exchange {
  request: IndexedMessage;
  reply: IndexedMessage;
  first: boolean;
}

/** Per connection, replies answer the requests that want one (all but ONEWAY) in order. */
function exchanges(): Exchange[] {
  const result: Exchange[] = [];
  const pending = new Map<string, IndexedMessage[]>();
  const seen = new Set<string>();
  for (const m of messages) {
    if (!m.complete || m.transport !== "tcp" || m.protocol !== "pyro5") continue;
    const key = `${m.scenario}#${m.connection}`;
    const queue = pending.get(key) ?? [];
    pending.set(key, queue);
    if (m.direction === "c2s") {
      if ((m.flags! & Pyro5Flag.ONEWAY) === 0) queue.push(m);
    } else {
      const request = queue.shift();
      if (request !== undefined) {
        result.push({ request, reply: m, first: !seen.has(key) });
        seen.add(key);
      }
    }
  }
  return result;
}

describe("captured Pyro5 5.16 messages", () => {
  it("come from Pyro5 5.16, protocol 502", () => {
    expect(index.pyro5_version).toBe("5.16");
    expect(index.protocol_version).toBe(502);
  });

  it("index.json lists exactly the .bin files on disk, and each scenario's files in order", () => {
    const onDisk = binFiles(VECTORS).sort();
    expect(onDisk.length).toBeGreaterThan(1000);
    expect(messages.map((m) => m.file).sort()).toEqual(onDisk);
    for (const [name, scenario] of Object.entries(index.scenarios)) {
      const own = messages.filter((m) => m.scenario === name);
      expect(
        own.map((m) => m.file),
        name,
      ).toEqual(scenario.files);
      expect(
        own.map((m) => m.index_in_scenario),
        name,
      ).toEqual(own.map((_, i) => i));
      expect(scenario.message_count, name).toBe(scenario.files.length);
    }
  });

  it("every file has the size and sha256 of the index", () => {
    for (const m of messages) {
      const bytes = bytesOf(m);
      expect(bytes.length, m.file).toBe(m.size);
      expect(createHash("sha256").update(bytes).digest("hex"), m.file).toBe(m.sha256);
    }
  });

  const scenarioNames = Object.keys(index.scenarios);
  it.each(scenarioNames)(
    "%s parses to the header, annotations and payload of the index",
    (name) => {
      for (const m of messages.filter((x) => x.scenario === name)) {
        const bytes = bytesOf(m);
        if (m.transport === "udp") {
          expect(Buffer.from(bytes).toString("latin1"), m.file).toBe(m.text);
          continue;
        }
        if (!m.complete) {
          // Bytes that are not one whole Pyro message (an HTTP request, a header without its payload).
          expect(hex(bytes), m.file).toBe(m.hex);
          continue;
        }
        const msg = wireOf(m);
        expect(
          {
            protocol: msg.protocol,
            version: msg.version,
            type: msg.type,
            serializerId: msg.serializerId,
            flags: msg.flags,
            seq: msg.seq,
            dataSize: msg.dataSize,
            annotationsSize: msg.annotationsSize,
            reserved: msg.reserved,
          },
          m.file,
        ).toEqual({
          protocol: m.protocol,
          version: m.protocol_version,
          type: m.msg_type,
          serializerId: m.serializer_id,
          flags: m.flags,
          seq: m.seq,
          dataSize: m.data_size,
          annotationsSize: m.annotations_size,
          reserved: m.reserved,
        });
        if (msg.protocol === "pyro5") {
          expect(msg.correlationId, m.file).toBe(m.correlation_id);
          expect(msg.magicNumber, m.file).toBe(m.magic_number);
        } else {
          expect([msg.checksum, msg.checksumOk], m.file).toEqual([m.checksum, true]);
        }
        expect(
          msg.annotations.map((a) => ({ name: a.name, length: a.value.length, hex: hex(a.value) })),
          m.file,
        ).toEqual(m.annotations);
        const payload = plainPayload(msg);
        if (m.decompressed_size !== undefined) {
          expect([hex(msg.payload.subarray(0, 2)), payload.length], m.file).toEqual([
            m.compressed_hex_prefix,
            m.decompressed_size,
          ]);
        }
        if (m.payload_text !== undefined) {
          expect(new TextDecoder("utf-8", { fatal: true }).decode(payload), m.file).toBe(
            m.payload_text,
          );
        } else {
          expect(hex(payload), m.file).toBe(m.payload_hex);
        }
      }
    },
  );
});

describe("protocol facts shown by the Pyro5 captures", () => {
  const pairs = exchanges().filter(({ reply }) => realPyro5Daemon(reply));

  it("a Pyro5 daemon answers with the request's seq and serializer, or a marshal CONNECTFAIL", () => {
    expect(pairs.length).toBeGreaterThan(600);
    const answers: Record<number, number> = { 1: 2, 4: 5, 6: 6 }; // CONNECT, INVOKE, PING
    for (const { request, reply, first } of pairs) {
      if (reply.msg_type === 3) {
        // CONNECTFAIL answers only a connection's first message; it is marshal (Pyro5 id 2)
        // unless the CONNECT was read far enough to use its own serializer.
        expect(first, reply.file).toBe(true);
        expect([2, request.serializer_id], reply.file).toContain(reply.serializer_id);
        if (request.msg_type !== 1) expect(reply.seq, reply.file).toBe(0);
        continue;
      }
      expect(reply.msg_type, reply.file).toBe(answers[request.msg_type!]);
      expect([reply.seq, reply.serializer_id], reply.file).toEqual([
        request.seq,
        request.serializer_id,
      ]);
    }
  });

  it("every CONNECTOK, RESULT and PING of a Pyro5 daemon carries a correlation id, the request's if it had one", () => {
    let echoed = 0;
    for (const { request, reply } of pairs) {
      if (reply.msg_type === 3) continue; // CONNECTFAIL: a stale id of the worker thread, or none
      expect(reply.flags! & Pyro5Flag.CORR_ID, reply.file).toBe(Pyro5Flag.CORR_ID);
      expect(reply.correlation_id, reply.file).not.toBe("0".repeat(32));
      if (request.flags! & Pyro5Flag.CORR_ID) {
        expect(reply.correlation_id, reply.file).toBe(request.correlation_id);
        echoed++;
      }
    }
    expect(echoed).toBeGreaterThan(10);
  });

  it("a CONNECTFAIL may carry a stale correlation id, one an earlier reply already had", () => {
    const owners = new Map<string, IndexedMessage[]>();
    for (const m of messages) {
      if (m.protocol !== "pyro5" || m.direction !== "s2c" || !realPyro5Daemon(m)) continue;
      if (m.correlation_id === "0".repeat(32)) continue;
      owners.set(m.correlation_id!, [...(owners.get(m.correlation_id!) ?? []), m]);
    }
    const stale = messages.filter(
      (m) =>
        m.msg_type_name === "CONNECTFAIL" &&
        m.protocol === "pyro5" &&
        realPyro5Daemon(m) &&
        (owners.get(m.correlation_id!)?.length ?? 0) > 1,
    );
    expect(stale.length).toBeGreaterThanOrEqual(3);
  });

  it("the raw client's CONNECTs are byte-identical to the real clients' (the builder follows the spec)", () => {
    const first = (scenario: string): string =>
      hex(bytesOf(messages.find((m) => m.scenario === scenario && m.index_in_scenario === 0)!));
    for (const serializer of ["serpent", "json", "msgpack"]) {
      expect(first(`${serializer}/lab/raw_call_layouts`), serializer).toBe(
        first(`${serializer}/lab/normal_call`),
      );
    }
    expect(first("crossgen/pyro5-lab/raw_pyro4_connect")).toBe(
      first("crossgen/pyro5-lab/pyro4_proxy"),
    );
    expect(first("crossgen/pyro4-echoserver/raw_pyro5_connect")).toBe(
      first("crossgen/pyro4-echoserver/pyro5_proxy"),
    );
  });

  it("the Python client's CONNECT has no flag of its own and always names the object", () => {
    const connects = messages.filter(
      (m) => m.client === "pyro5-proxy" && m.direction === "c2s" && m.msg_type === 1,
    );
    expect(connects.length).toBeGreaterThan(150);
    for (const m of connects) {
      expect(m.flags! & ~(Pyro5Flag.CORR_ID | Pyro5Flag.COMPRESSED), m.file).toBe(0);
      const serializer = createSerializer(PYRO5_SERIALIZERS[m.serializer_id!]!);
      const hello = serializer.loads(plainPayload(wireOf(m))) as Record<string, unknown>;
      expect(Object.keys(hello).sort(), m.file).toEqual(["handshake", "object"]);
    }
  });

  it("requests carry annotations only where a scenario attached some (custom, blob info, a big one)", () => {
    const annotated = messages.filter(
      (m) => m.direction === "c2s" && m.protocol === "pyro5" && m.annotations!.length > 0,
    );
    expect(new Set(annotated.map((m) => m.scenario.split("/")[2]))).toEqual(
      new Set(["annotations", "serialized_blob", "raw_big_annotation"]),
    );
    const names = (m: IndexedMessage) => m.annotations!.map((a) => a.name).join(",");
    for (const m of annotated) {
      expect(names(m), m.file).toBe(
        { annotations: "XTRA", serialized_blob: "BLBI", raw_big_annotation: "BIGA" }[
          m.scenario.split("/")[2] as "annotations"
        ],
      );
    }
  });

  it("a stream starts with EXCEPTION|ITEMSTREAMRESULT and a STRM annotation holding a 36-character id", () => {
    const starts = messages.filter(
      // (Pyro4's META_ON_CONNECT has the same bit 0x10: only Pyro5 replies count here.)
      (m) =>
        m.protocol === "pyro5" && m.direction === "s2c" && m.flags! & Pyro5Flag.ITEMSTREAMRESULT,
    );
    expect(starts.length).toBeGreaterThanOrEqual(15);
    for (const m of starts) {
      expect(m.flags! & ~Pyro5Flag.CORR_ID, m.file).toBe(
        Pyro5Flag.EXCEPTION | Pyro5Flag.ITEMSTREAMRESULT,
      );
      const strm = wireOf(m).annotations.find((a) => a.name === "STRM");
      expect(Buffer.from(strm!.value).toString("latin1"), m.file).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("every Pyro5 header ends in the magic number 0x4dc5, except the one broken on purpose", () => {
    const pyro5 = messages.filter((m) => m.protocol === "pyro5");
    const broken = pyro5.filter((m) => wireOf(m).magicNumber !== PYRO5_MAGIC_NUMBER);
    expect(broken.map((m) => m.file)).toEqual([
      "serpent/lab/raw_bad_magic_number/00_conn0_c2s_CONNECT.bin",
    ]);
    expect(pyro5.filter((m) => m.reserved !== 0)).toEqual([]);
  });

  it("annotation lengths are 32-bit: a 70000-byte annotation goes to the daemon and back", () => {
    const big = messages.filter(
      (m) => m.scenario === "serpent/lab/raw_big_annotation" && m.msg_type! >= 4,
    );
    expect(big.map((m) => wireOf(m).annotations.map((a) => [a.name, a.value.length]))).toEqual([
      [["BIGA", 70000]],
      [["BIGA", 70000]],
    ]);
  });

  it("each generation answers the other's CONNECT with a CONNECTFAIL in its own format", () => {
    const marshal = createSerializer("marshal");
    const reply = (scenario: string): IndexedMessage =>
      messages.find((m) => m.scenario === scenario && m.direction === "s2c")!;
    const replies = [
      "crossgen/pyro5-lab/raw_pyro4_connect",
      "crossgen/pyro5-lab/pyro4_proxy",
      "crossgen/pyro5-ns/pyro4_locate_ns",
      "crossgen/pyro4-echoserver/raw_pyro5_connect",
      "crossgen/pyro4-echoserver/pyro5_proxy",
    ].map(reply);
    const facts = replies.map((m) => {
      const msg = wireOf(m);
      const serializer =
        msg.protocol === "pyro5"
          ? PYRO5_SERIALIZERS[msg.serializerId]
          : PYRO4_SERIALIZERS[msg.serializerId];
      return [
        protocolVersionOf(bytesOf(m)),
        msg.type,
        serializer,
        msg.seq,
        marshal.loads(msg.payload),
      ];
    });
    const fromPyro5 = [502, 3, "marshal", 0, "invalid protocol version: 48"];
    const fromPyro4 = [48, 3, "marshal", 0, "invalid data or unsupported protocol version"];
    expect(facts).toEqual([fromPyro5, fromPyro5, fromPyro5, fromPyro4, fromPyro4]);
    expect(index.scenarios["crossgen/pyro5-lab/pyro4_proxy"]!.outcomes["echo"]).toBe(
      "raises Pyro4.errors.ProtocolError: invalid data or unsupported protocol version",
    );
    expect(index.scenarios["crossgen/pyro4-echoserver/pyro5_proxy"]!.outcomes["echo"]).toBe(
      "raises Pyro5.errors.ProtocolError: invalid protocol version: 48",
    );
  });
});

describe("Pyro5 payloads and pyrogen's serializers", () => {
  it("decode to what Python's serpent/json/marshal/msgpack decoders give", () => {
    const decodable = messages.filter((m) => {
      if (!m.complete || m.transport !== "tcp" || m.decode_error !== undefined) return false;
      const table = m.protocol === "pyro5" ? PYRO5_SERIALIZERS : PYRO4_SERIALIZERS;
      return table[m.serializer_id!] !== undefined && m.msg_type !== 6;
    });
    expect(decodable.length).toBeGreaterThan(1500);
    const expected = JSON.parse(
      runPython(PYTHON_CANONICAL, { input: JSON.stringify(decodable.map((m) => m.file)) }),
    ) as Record<string, unknown>;
    for (const m of decodable) {
      const msg = wireOf(m);
      const table = msg.protocol === "pyro5" ? PYRO5_SERIALIZERS : PYRO4_SERIALIZERS;
      const serializer = createSerializer(table[msg.serializerId]!);
      expect(canonical(serializer.loads(plainPayload(msg)), serializer), m.file).toEqual(
        expected[m.file],
      );
    }
  });
});

/**
 * Python's side of the payload comparison: plain serpent/json/marshal/msgpack decoding (no
 * Pyro5 class handling), printed in the canonical JSON form `canonical` builds in TypeScript.
 */
const PYTHON_CANONICAL = String.raw`
import base64, datetime, json, marshal, math, struct, sys, zlib
import msgpack, serpent
VECTORS = "${VECTORS}"
MAX_SAFE = 2 ** 53 - 1
PYRO5 = {1: "serpent", 2: "marshal", 3: "json", 4: "msgpack"}
PYRO4 = {1: "serpent", 2: "json", 3: "marshal", 6: "msgpack"}

class Ext:
    def __init__(self, canon):
        self.canon = canon

def ext_hook(code, data):
    if code == 0x30:
        return complex(*struct.unpack("<dd", data))
    if code == 0x31:
        return int(data)
    if code == 0x32:
        return Ext({"datetime_ms": int(struct.unpack("<d", data)[0] * 1000)})
    if code == 0x33:
        return Ext(datetime.date.fromordinal(struct.unpack("<q", data)[0]).isoformat())
    raise ValueError(code)

def key(v):
    return json.dumps(v, sort_keys=True)

def canon(v, serpent_bytes):
    c = lambda x: canon(x, serpent_bytes)
    if isinstance(v, Ext):
        return v.canon
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        return v if abs(v) <= MAX_SAFE else "%dn" % v
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return v
    if isinstance(v, complex):
        return {"complex": [c(v.real), c(v.imag)]}
    if isinstance(v, (bytes, bytearray)):
        return {"bytes": bytes(v).hex()}
    if isinstance(v, (list, tuple)):
        return [c(x) for x in v]
    if isinstance(v, (set, frozenset)):
        return {"set": sorted((c(x) for x in v), key=key)}
    if isinstance(v, dict):
        if serpent_bytes and set(v) == {"data", "encoding"} and v["encoding"] == "base64":
            return {"bytes": base64.b64decode(v["data"]).hex()}
        if v.get("__class__") == "float" and v.get("value") == "nan":
            return "NaN"
        if v.get("__exception__") is True and isinstance(v.get("attributes"), dict) and v["attributes"].get("_pyroTraceback", 0) is None:
            v = dict(v, attributes={k: x for k, x in v["attributes"].items() if k != "_pyroTraceback"})
        return {"dict": sorted(([c(k), c(x)] for k, x in v.items()), key=key)}
    raise TypeError(type(v))

def decode(name, data):
    if name == "serpent":
        return serpent.loads(data)
    if name == "json":
        return json.loads(data.decode("utf-8"))
    if name == "marshal":
        return marshal.loads(data)
    return msgpack.unpackb(data, raw=False, strict_map_key=False, ext_hook=ext_hook)

out = {}
for name in json.load(sys.stdin):
    raw = open(VECTORS + "/" + name, "rb").read()
    if int.from_bytes(raw[4:6], "big") == 502:
        ann, ser, flags, start = int.from_bytes(raw[16:20], "big"), PYRO5[raw[7]], int.from_bytes(raw[8:10], "big"), 40
    else:
        ann, ser, flags, start = int.from_bytes(raw[18:20], "big"), PYRO4[int.from_bytes(raw[16:18], "big")], int.from_bytes(raw[8:10], "big"), 24
    data = raw[start + ann:]
    if flags & 2:
        data = zlib.decompress(data)
    out[name] = canon(decode(ser, data), ser == "serpent")
print(json.dumps(out))
`;

const sortByJson = (items: unknown[]): unknown[] =>
  items.sort((a, b) => {
    const x = JSON.stringify(a);
    const y = JSON.stringify(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });

/** A canonical JSON form of a decoded value that both languages can produce. */
function canonical(value: unknown, serializer: Serializer): unknown {
  const c = (v: unknown) => canonical(v, serializer);
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    if (!Number.isFinite(value)) return value > 0 ? "Infinity" : "-Infinity";
    return value;
  }
  if (typeof value === "bigint") return `${value}n`;
  if (value instanceof Uint8Array) return { bytes: Buffer.from(value).toString("hex") };
  if (value instanceof Date) return { datetime_ms: value.getTime() };
  if (Array.isArray(value)) return value.map(c);
  if (value instanceof PyTuple) return value.items.map(c);
  if (value instanceof PyComplex) return { complex: [c(value.real), c(value.imag)] };
  if (value instanceof Set) return { set: sortByJson([...value].map(c)) };
  if (value instanceof Map) return { dict: sortByJson([...value].map(([k, v]) => [c(k), c(v)])) };
  if (value instanceof PyroError && value.remote !== undefined) {
    const { type, args, attributes, traceback } = value.remote;
    return c({
      __class__: type,
      __exception__: true,
      args,
      attributes: traceback === null ? attributes : { ...attributes, _pyroTraceback: traceback },
    });
  }
  if (isPlainObject(value)) return c(new Map(Object.entries(value)));
  if (typeof value === "object")
    return c(serializer.registry.toSerializable(value, serializer.name));
  throw new Error(`cannot canonicalize ${typeof value}`);
}
