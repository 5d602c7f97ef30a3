/**
 * Reading Pyro wire messages of both generations, for the captured test vectors: Pyro5's
 * 40-byte header (protocol 502, u32 lengths, correlation id, magic number 0x4dc5, no
 * checksum) and Pyro4's 24-byte one (protocol 48, checksum). Test-only, and written apart
 * from src/runtime's codecs on purpose: the captures are read by this second reader too, so
 * a misreading shared by the runtime's codec would still show. docs/pyro5-protocol.md
 * describes both.
 */

/** Protocol version in bytes 4-5 of every Pyro5 message. */
export const PYRO5_VERSION = 502;
/** Protocol version of Pyro4 4.38 and later. */
export const PYRO4_VERSION = 48;
export const PYRO5_HEADER_SIZE = 40;
export const PYRO4_HEADER_SIZE = 24;
/** Bytes 38-39 of a Pyro5 header. */
export const PYRO5_MAGIC_NUMBER = 0x4dc5;

/** Pyro5 flag bits (Pyro4's differ from 0x10 up; see the flags table in docs/pyro5-protocol.md). */
export const Pyro5Flag = {
  EXCEPTION: 0x01,
  COMPRESSED: 0x02,
  ONEWAY: 0x04,
  BATCH: 0x08,
  ITEMSTREAMRESULT: 0x10,
  KEEPSERIALIZED: 0x20,
  CORR_ID: 0x40,
} as const;

/** Pyro5 serializer ids; PING messages carry 42 and are never decoded. */
export const PYRO5_SERIALIZERS: Readonly<Record<number, string>> = {
  1: "serpent",
  2: "marshal",
  3: "json",
  4: "msgpack",
};
/** Pyro4 serializer ids (json and marshal swapped against Pyro5, msgpack 6). */
export const PYRO4_SERIALIZERS: Readonly<Record<number, string>> = {
  1: "serpent",
  2: "json",
  3: "marshal",
  6: "msgpack",
};

/** One annotation chunk: a 4-letter ASCII name and its value. */
export interface Annotation {
  readonly name: string;
  readonly value: Uint8Array;
}

/** The fields both headers share, plus what is particular to each generation. */
export interface WireMessage {
  readonly protocol: "pyro5" | "pyro4";
  readonly version: number;
  readonly type: number;
  readonly serializerId: number;
  readonly flags: number;
  readonly seq: number;
  readonly dataSize: number;
  readonly annotationsSize: number;
  readonly reserved: number;
  /** Pyro5 only: the 16 correlation-id bytes as hex (all zero when unset). */
  readonly correlationId?: string;
  /** Pyro5 only: the trailing magic number (0x4dc5 in every valid message). */
  readonly magicNumber?: number;
  /** Pyro4 only: the header checksum and whether it is right. */
  readonly checksum?: number;
  readonly checksumOk?: boolean;
  readonly annotations: readonly Annotation[];
  /** The payload as on the wire (still compressed if the COMPRESSED flag is set). */
  readonly payload: Uint8Array;
}

const ascii = new TextDecoder("latin1");

/** The protocol version in bytes 4-5, or undefined if `bytes` does not start with `PYRO`. */
export function protocolVersionOf(bytes: Uint8Array): number | undefined {
  if (bytes.length < 6 || ascii.decode(bytes.subarray(0, 4)) !== "PYRO") return undefined;
  return (bytes[4]! << 8) | bytes[5]!;
}

/**
 * Parse one complete message of either generation; throws an Error when the sizes do not add
 * up. Checksum and magic number are reported, not enforced (some captures break them on purpose).
 */
export function parseWireMessage(bytes: Uint8Array): WireMessage {
  const version = protocolVersionOf(bytes);
  if (version === PYRO5_VERSION) return parsePyro5(bytes);
  if (version === PYRO4_VERSION) return parsePyro4(bytes);
  throw new Error(`not a Pyro message (version ${String(version)})`);
}

function parsePyro5(bytes: Uint8Array): WireMessage {
  if (bytes.length < PYRO5_HEADER_SIZE) throw new Error(`${bytes.length}-byte Pyro5 header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataSize = view.getUint32(12);
  const annotationsSize = view.getUint32(16);
  const end = PYRO5_HEADER_SIZE + annotationsSize + dataSize;
  if (end !== bytes.length) throw new Error(`Pyro5 header says ${end} bytes, got ${bytes.length}`);
  return {
    protocol: "pyro5",
    version: PYRO5_VERSION,
    type: bytes[6]!,
    serializerId: bytes[7]!,
    flags: view.getUint16(8),
    seq: view.getUint16(10),
    dataSize,
    annotationsSize,
    correlationId: Buffer.from(bytes.subarray(20, 36)).toString("hex"),
    reserved: view.getUint16(36),
    magicNumber: view.getUint16(38),
    annotations: splitAnnotations(
      bytes.subarray(PYRO5_HEADER_SIZE, PYRO5_HEADER_SIZE + annotationsSize),
      4,
    ),
    payload: bytes.subarray(PYRO5_HEADER_SIZE + annotationsSize),
  };
}

function parsePyro4(bytes: Uint8Array): WireMessage {
  if (bytes.length < PYRO4_HEADER_SIZE) throw new Error(`${bytes.length}-byte Pyro4 header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [type, flags, seq] = [view.getUint16(6), view.getUint16(8), view.getUint16(10)];
  const dataSize = view.getInt32(12);
  const [serializerId, annotationsSize] = [view.getUint16(16), view.getUint16(18)];
  const checksum = view.getUint16(22);
  const end = PYRO4_HEADER_SIZE + annotationsSize + dataSize;
  if (end !== bytes.length) throw new Error(`Pyro4 header says ${end} bytes, got ${bytes.length}`);
  const expected =
    (type + PYRO4_VERSION + dataSize + annotationsSize + serializerId + flags + seq + 0x34e9) &
    0xffff;
  return {
    protocol: "pyro4",
    version: PYRO4_VERSION,
    type,
    serializerId,
    flags,
    seq,
    dataSize,
    annotationsSize,
    reserved: view.getUint16(20),
    checksum,
    checksumOk: checksum === expected,
    annotations: splitAnnotations(
      bytes.subarray(PYRO4_HEADER_SIZE, PYRO4_HEADER_SIZE + annotationsSize),
      2,
    ),
    payload: bytes.subarray(PYRO4_HEADER_SIZE + annotationsSize),
  };
}

/** Annotation chunks: 4 ASCII bytes, a big-endian length of `lengthBytes` bytes, the value. */
function splitAnnotations(block: Uint8Array, lengthBytes: 2 | 4): Annotation[] {
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const chunks: Annotation[] = [];
  for (let at = 0; at < block.length;) {
    const length = lengthBytes === 4 ? view.getUint32(at + 4) : view.getUint16(at + 4);
    const start = at + 4 + lengthBytes;
    if (start + length > block.length) throw new Error("annotation chunk runs past its block");
    chunks.push({
      name: ascii.decode(block.subarray(at, at + 4)),
      value: block.subarray(start, start + length),
    });
    at = start + length;
  }
  return chunks;
}
