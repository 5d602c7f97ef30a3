/**
 * Incremental message parsing: bytes go in as they arrive (any chunking, one byte at a
 * time included), complete and validated messages come out, framed as the protocol
 * generation's `FrameCodec` says.
 */
import { PyroError } from "../errors.js";
import { copyOf } from "./annotation-value.js";
import { inflateLimit, inflatePayload } from "./compression.js";
import { MessageFlag } from "./constants.js";
import type { Message, MessageHeader } from "./message.js";
import type { FrameCodec } from "./wire-protocol.js";

/** Socket reads land in slabs of this size (see {@link MessageReader.readBuffer}). */
const SLAB_SIZE = 64 * 1024;
/**
 * A connection's first slab: small enough to come from Node's shared buffer pool, since many
 * connections only ever read a handshake and a reply or two, and a fresh 64 KiB for each
 * would cost an allocation and keep the garbage collector busy.
 */
const FIRST_SLAB_SIZE = 4000;
/** A body with at least this many bytes still to come is read straight into its own buffer. */
const DIRECT_BODY_MIN = 64 * 1024;
/**
 * Larger bodies are collected from slabs instead: a direct buffer is allocated as soon as
 * the header arrives, and a peer without a max message size must not make us reserve
 * gigabytes by announcing them.
 */
const DIRECT_BODY_MAX = 64 * 1024 * 1024;
/**
 * The largest released body kept to read the next large message into. Without one, every
 * large reply is new memory outside the JavaScript heap: V8 counts it against the old
 * generation's limit and runs a full collection every ~16 MiB of replies (1 MiB str echo
 * calls: a third to a half of their CPU). A bigger body goes to the collector.
 */
const SPARE_BODY_MAX = 4 * 1024 * 1024;

/**
 * A slab the reader allocated, and the messages read from it that their consumers have not
 * released yet ({@link MessageReader.release}). Keyed by its memory: a view of it tells.
 */
interface Slab {
  readonly bytes: Uint8Array;
  /** Messages whose data or annotations view it and were not released. */
  out: number;
  /** Full: no longer read into. Once nothing views it, it becomes the reader's spare. */
  retired: boolean;
}

const slabs = new WeakMap<ArrayBufferLike, Slab>();

/** What a {@link MessageReader} checks and does. */
export interface ReaderOptions {
  /** Verify the HMAC of every message with this key (required when the peer signs). */
  hmacKey?: Uint8Array | undefined;
  /** Refuse messages whose annotations + payload exceed this many bytes (0 = no limit). */
  maxMessageSize?: number | undefined;
  /** Inflate COMPRESSED payloads and clear the flag (default true). */
  inflate?: boolean | undefined;
  /**
   * The most a payload may inflate to, 0 = no limit (default: `maxMessageSize` when set,
   * else 64 MiB); never more than a set `maxMessageSize`.
   */
  maxInflatedSize?: number | undefined;
}

/**
 * Parses messages from a byte stream. Checks, in Pyro's order: the header (the codec's
 * checks: magic, version, checksum, …), the max message size (right after the header,
 * before any of the body is buffered), annotation chunk bounds, the signature; then inflates.
 *
 * Bytes come in two ways. {@link push} takes chunks someone else allocated (a stream's
 * `data` events) and keeps them by reference until consumed (a message's `data` may be a
 * view into one), so they must not be modified afterwards. {@link readBuffer} and
 * {@link received} let a socket read straight into buffers the reader hands out (Node's
 * `onread`): small messages land side by side in shared slabs, and the body of a large one
 * in a buffer of its own, so it is never copied. Each message is copied at most once.
 * A consumer that {@link release}s the messages it is done with lets a full slab be read
 * into again instead of a new one being allocated: 10 KiB replies otherwise allocate 13 KB
 * of memory outside the JavaScript heap per call, which in a long-running process drove
 * V8 into a full collection every ~900 calls. A released large body (up to 4 MiB) is
 * likewise read into again by the next large message that fits.
 * After the first error the stream position is lost: the reader stays failed and throws
 * that error again.
 */
export class MessageReader {
  readonly #frames: FrameCodec;
  readonly #headerSize: number;
  readonly #hmacKey: Uint8Array | undefined;
  readonly #maxMessageSize: number;
  readonly #inflate: boolean;
  readonly #inflateLimit: number;
  #chunks: Uint8Array[] = [];
  /** Index of the first unconsumed chunk in `#chunks`. */
  #index = 0;
  /** Offset of the first unconsumed byte in that chunk. */
  #offset = 0;
  #buffered = 0;
  /** Where the bytes returned by the last `#take` start in the array it returned. */
  #start = 0;
  #header: MessageHeader | undefined;
  #failure: PyroError | undefined;
  /** The slab small reads go into, and how much of it is filled. */
  #slab: Uint8Array | undefined;
  #slabUsed = 0;
  /** A retired slab nothing views any more: the next slab. */
  #spare: Slab | undefined;
  /** The body of a large message being read straight into place, and how much has arrived. */
  #direct: Uint8Array | undefined;
  #directFilled = 0;
  /** What the last {@link readBuffer} returned. */
  #handedOut: Uint8Array | undefined;
  /** The last large body read into place, queued until {@link read} makes it a message. */
  #completedBody: Uint8Array | undefined;
  /**
   * A released large body's memory: the next large body that fits is read into it. Held
   * weakly, so that a connection idle after a large reply keeps its memory only until the
   * next full collection.
   */
  #spareBody: WeakRef<ArrayBuffer> | undefined;

  /** A reader of messages framed by `frames` (e.g. `pyro4.frames`). */
  constructor(frames: FrameCodec, options: ReaderOptions = {}) {
    this.#frames = frames;
    this.#headerSize = frames.headerSize;
    this.#hmacKey = options.hmacKey;
    this.#maxMessageSize = options.maxMessageSize ?? 0;
    this.#inflate = options.inflate ?? true;
    this.#inflateLimit = inflateLimit(this.#maxMessageSize, options.maxInflatedSize);
  }

  /** Bytes received but not yet returned as a message; > 0 means a message is incomplete. */
  get bufferedBytes(): number {
    return (
      this.#buffered + this.#directFilled + (this.#header === undefined ? 0 : this.#headerSize)
    );
  }

  /** The error that stopped this reader, if any. */
  get failure(): PyroError | undefined {
    return this.#failure;
  }

  /** Add received bytes; take the messages out with {@link read}. */
  push(chunk: Uint8Array): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
  }

  /**
   * The buffer the next socket read should fill; report what it got with {@link received}.
   * While a large body is incomplete this is the rest of that body, else free room in a slab.
   */
  readBuffer(): Uint8Array {
    const body = this.#direct ?? this.#startDirectBody();
    if (body !== undefined) return (this.#handedOut = body.subarray(this.#directFilled));
    let slab = this.#slab;
    if (slab === undefined) {
      slab = this.#slab = Buffer.allocUnsafe(FIRST_SLAB_SIZE);
    } else if (slab.length - this.#slabUsed < slab.length >> 2) {
      // Retired with a quarter left, so that reads into it are not cut short.
      // The first slab is Node's pooled memory, with no record: never read into again.
      const full = slabs.get(slab.buffer);
      if (full !== undefined) {
        full.retired = true;
        this.#spareIfFree(full);
      }
      slab = this.#slab = this.#nextSlab().bytes;
      this.#slabUsed = 0;
    }
    return (this.#handedOut = slab.subarray(this.#slabUsed));
  }

  /** The spare slab, else a new one. */
  #nextSlab(): Slab {
    const spare = this.#spare;
    if (spare !== undefined) {
      this.#spare = undefined;
      spare.retired = false;
      return spare;
    }
    const next = { bytes: Buffer.allocUnsafeSlow(SLAB_SIZE), out: 0, retired: false };
    slabs.set(next.bytes.buffer, next);
    return next;
  }

  /** Make `slab` the spare once it is full and no message or unread byte views it. */
  #spareIfFree(slab: Slab): void {
    if (!slab.retired || slab.out > 0) return;
    const chunks = this.#chunks;
    for (let i = this.#index; i < chunks.length; i++) {
      if (chunks[i]!.buffer === slab.bytes.buffer) return;
    }
    this.#spare = slab;
  }

  /**
   * The consumer is done with `message`: nothing views its data any more (its annotations
   * are copies), so the slab it was read into may be read into again once every message from
   * it is released, and a large message's own body by the next large message. Optional: a
   * message never released keeps its memory until the garbage collector frees it. Releasing
   * a message twice, or one this reader did not read, does nothing.
   */
  release(message: Message): void {
    const memory = ReadMessage.takeMemory(message, this);
    if (memory === undefined) return;
    if (memory instanceof ArrayBuffer) {
      // Of two, the larger: it serves more of the large messages to come.
      const spare = this.#spareBody?.deref();
      if (memory.byteLength <= SPARE_BODY_MAX && (spare?.byteLength ?? 0) <= memory.byteLength) {
        this.#spareBody = new WeakRef(memory);
      }
      return;
    }
    memory.out--;
    this.#spareIfFree(memory);
  }

  /**
   * `count` bytes were read into `buffer`, which should be what the last
   * {@link readBuffer} returned (call that once per read). Bytes read into any other
   * buffer (one a socket held before this reader took over) are copied in stream order.
   * Take the completed messages out with {@link read}.
   */
  received(buffer: Uint8Array, count: number): void {
    if (this.#failure !== undefined) throw this.#failure;
    const own = buffer === this.#handedOut;
    this.#handedOut = undefined;
    const body = this.#direct;
    if (own) {
      if (body === undefined) {
        this.#slabUsed += count;
        this.push(buffer.subarray(0, count));
      } else {
        this.#directFilled += count;
        this.#finishDirectBody();
      }
      return;
    }
    let bytes = buffer.subarray(0, count);
    if (body !== undefined) {
      const fits = Math.min(bytes.length, body.length - this.#directFilled);
      body.set(bytes.subarray(0, fits), this.#directFilled);
      this.#directFilled += fits;
      bytes = bytes.subarray(fits);
      this.#finishDirectBody();
    }
    // A copy (`Buffer#slice` would be a view): the buffer is someone else's to reuse.
    if (bytes.length > 0) this.push(copyOf(bytes, 0, bytes.length));
  }

  /** Once a directly read body is complete, queue it like a received chunk (no copy). */
  #finishDirectBody(): void {
    const body = this.#direct;
    if (body === undefined || this.#directFilled < body.length) return;
    this.#direct = undefined;
    this.#directFilled = 0;
    this.#completedBody = body;
    this.push(body);
  }

  /**
   * When the header of a large message is in and most of its body still to come, move the
   * part that arrived into a buffer of the body's size and return it; reads then fill it.
   */
  #startDirectBody(): Uint8Array | undefined {
    const header = this.#header;
    if (header === undefined || this.#failure !== undefined) return undefined;
    const size = header.annotationsSize + header.dataSize;
    if (size > DIRECT_BODY_MAX || size - this.#buffered < DIRECT_BODY_MIN) return undefined;
    const spare = this.#spareBody?.deref();
    let body: Uint8Array;
    if (spare !== undefined && spare.byteLength >= size) {
      this.#spareBody = undefined;
      body = Buffer.from(spare, 0, size);
    } else {
      body = Buffer.allocUnsafeSlow(size);
    }
    const arrived = this.#buffered;
    const first = this.#take(arrived);
    body.set(first.subarray(this.#start, this.#start + arrived));
    this.#direct = body;
    this.#directFilled = arrived;
    return body;
  }

  /** Add received bytes and iterate over every message they complete. */
  feed(chunk: Uint8Array): Generator<Message, void, undefined> {
    this.push(chunk);
    return this.#drain();
  }

  /** The next complete message, or `undefined` until more bytes arrive. Throws a `PyroError`. */
  read(): Message | undefined {
    if (this.#failure !== undefined) throw this.#failure;
    try {
      return this.#readOne();
    } catch (error) {
      this.#failure =
        error instanceof PyroError
          ? error
          : new PyroError("protocol", `cannot parse message: ${String(error)}`, { cause: error });
      this.#chunks = [];
      this.#index = 0;
      this.#offset = 0;
      this.#buffered = 0;
      this.#header = undefined;
      this.#direct = undefined;
      this.#directFilled = 0;
      this.#completedBody = undefined;
      throw this.#failure;
    }
  }

  *#drain(): Generator<Message, void, undefined> {
    for (let msg = this.read(); msg !== undefined; msg = this.read()) yield msg;
  }

  #readOne(): Message | undefined {
    let header = this.#header;
    if (header === undefined) {
      const headerSize = this.#headerSize;
      if (this.#buffered < headerSize) return undefined;
      const bytes = this.#take(headerSize);
      header = this.#frames.decodeHeader(bytes, this.#start);
      const size = header.dataSize + header.annotationsSize;
      if (this.#maxMessageSize > 0 && size > this.#maxMessageSize) {
        throw new PyroError(
          "message-too-large",
          `max message size exceeded (${size} where max=${this.#maxMessageSize}); ` +
            "the connection must be closed, raise maxMessageSize if such messages are expected",
        );
      }
      this.#header = header;
    }
    const annotationsSize = header.annotationsSize;
    const bodySize = annotationsSize + header.dataSize;
    if (this.#buffered < bodySize) return undefined;
    const body = this.#take(bodySize);
    const start = this.#start;
    this.#header = undefined;
    const annotations = this.#frames.decodeAnnotations(body, start, annotationsSize);
    let data = body.subarray(start + annotationsSize, start + bodySize);
    this.#frames.verify(this.#hmacKey, data, annotations);
    let flags = header.flags;
    if (this.#inflate && (flags & MessageFlag.COMPRESSED) !== 0) {
      data = inflatePayload(data, this.#inflateLimit);
      flags &= ~MessageFlag.COMPRESSED;
    }
    let memory: Slab | ArrayBuffer | undefined;
    if (body === this.#completedBody) {
      this.#completedBody = undefined;
      memory = body.buffer as ArrayBuffer;
    } else {
      memory = slabs.get(body.buffer);
      if (memory !== undefined) memory.out++;
    }
    return new ReadMessage(header, flags, annotations, data, this, memory);
  }

  /**
   * Remove `n` buffered bytes and return the array that holds them from `#start` on: the
   * chunk itself when they lie in one chunk (no copy), else one new copy.
   */
  #take(n: number): Uint8Array {
    this.#buffered -= n;
    const first = this.#chunks[this.#index];
    if (first === undefined || n === 0) {
      this.#start = 0;
      return EMPTY;
    }
    if (first.length - this.#offset >= n) {
      this.#start = this.#offset;
      this.#offset += n;
      if (this.#offset === first.length) this.#advance();
      return first;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.#chunks[this.#index]!;
      const count = Math.min(chunk.length - this.#offset, n - filled);
      out.set(chunk.subarray(this.#offset, this.#offset + count), filled);
      filled += count;
      this.#offset += count;
      if (this.#offset === chunk.length) this.#advance();
    }
    this.#start = 0;
    return out;
  }

  /** Move past a fully consumed chunk, releasing the list when it is used up. */
  #advance(): void {
    this.#offset = 0;
    this.#index++;
    if (this.#index === this.#chunks.length) {
      this.#chunks = [];
      this.#index = 0;
    } else if (this.#index >= 1024 && this.#index * 2 >= this.#chunks.length) {
      this.#chunks = this.#chunks.slice(this.#index);
      this.#index = 0;
    }
  }
}

const EMPTY = new Uint8Array(0);

/**
 * A message a reader read, with the memory its bytes are in until it is released (a slab,
 * or the large body it was read into): private fields, not a `WeakMap` entry per message,
 * which cost ~90 ns a message and an ephemeron for the collector to trace.
 */
class ReadMessage implements Message {
  type: number;
  flags: number;
  seq: number;
  serializerId: number;
  annotations: Map<string, Uint8Array>;
  data: Uint8Array;
  correlationId: Uint8Array | undefined;
  readonly #reader: MessageReader;
  #memory: Slab | ArrayBuffer | undefined;

  constructor(
    header: MessageHeader,
    flags: number,
    annotations: Map<string, Uint8Array>,
    data: Uint8Array,
    reader: MessageReader,
    memory: Slab | ArrayBuffer | undefined,
  ) {
    this.type = header.type;
    this.flags = flags;
    this.seq = header.seq;
    this.serializerId = header.serializerId;
    this.annotations = annotations;
    this.data = data;
    this.correlationId = header.correlationId;
    this.#reader = reader;
    this.#memory = memory;
  }

  /**
   * The reader's memory `message` views, once: `undefined` when `reader` did not read it,
   * it was assembled from several reads, or it was released before.
   */
  static takeMemory(message: Message, reader: MessageReader): Slab | ArrayBuffer | undefined {
    if (!(#memory in message) || message.#reader !== reader) return undefined;
    const memory = message.#memory;
    message.#memory = undefined;
    return memory;
  }
}
