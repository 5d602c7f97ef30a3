/**
 * Item streams: iterators and generators returned by exposed methods, kept
 * under a UUID until the client pulls them dry, closes them, or they expire.
 */
import { randomUUID } from "node:crypto";
import { PyroError } from "../errors.js";

/** A sync or async iterator a method returned. */
export type ItemIterator = Iterator<unknown> | AsyncIterator<unknown>;

/** True for an iterator or generator object (not for arrays, strings or other plain iterables). */
export function isItemIterator(value: unknown): value is ItemIterator {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as {
    next?: unknown;
    [Symbol.iterator]?: unknown;
    [Symbol.asyncIterator]?: unknown;
  };
  return (
    typeof candidate.next === "function" &&
    (typeof candidate[Symbol.iterator] === "function" ||
      typeof candidate[Symbol.asyncIterator] === "function")
  );
}

/** The result of pulling one item. */
export type StreamStep = { done: false; value: unknown } | { done: true };

/** Stream lifetimes, in milliseconds (0 = unlimited / no lingering). */
export interface StreamOptions {
  /** Max age of a stream (Pyro's ITER_STREAM_LIFETIME); 0 = unlimited. */
  readonly lifetimeMs: number;
  /** How long a stream survives its connection (ITER_STREAM_LINGER); 0 = it dies with it. */
  readonly lingerMs: number;
}

interface Entry {
  readonly iterator: ItemIterator;
  readonly created: number;
  /** The connection that opened it, or `null` once that connection is gone (lingering). */
  owner: object | null;
  lingerTimer: NodeJS.Timeout | undefined;
}

/** The streams of one daemon. Stream ids are not bound to a connection (as in Pyro4). */
export class StreamTable {
  readonly #entries = new Map<string, Entry>();
  readonly #options: StreamOptions;

  constructor(options: StreamOptions) {
    this.#options = options;
  }

  /** How many streams are open. */
  get size(): number {
    return this.#entries.size;
  }

  /** Keep `iterator` under a new stream id, owned by connection `owner`. */
  open(iterator: ItemIterator, owner: object): string {
    this.#expire();
    const id = randomUUID();
    this.#entries.set(id, { iterator, created: Date.now(), owner, lingerTimer: undefined });
    return id;
  }

  /**
   * Pull the next item of stream `id`. At the end, or when the iterator throws, the stream
   * is discarded. An unknown id is a `pyro` error "item stream terminated", as in Pyro4.
   * A lingering stream is adopted by the connection `owner` that pulls from it.
   */
  async next(id: string, owner: object): Promise<StreamStep> {
    this.#expire();
    const entry = this.#entries.get(id);
    if (entry === undefined) throw new PyroError("pyro", "item stream terminated");
    if (entry.owner === null) {
      clearTimeout(entry.lingerTimer);
      entry.lingerTimer = undefined;
      entry.owner = owner;
    }
    let step: IteratorResult<unknown>;
    try {
      step = await entry.iterator.next();
    } catch (error) {
      this.#discard(id);
      throw error;
    }
    if (step.done === true) {
      this.#discard(id);
      return { done: true };
    }
    return { done: false, value: step.value };
  }

  /** Close stream `id` (runs the generator's `finally`); unknown ids are ignored. */
  async close(id: string): Promise<void> {
    const entry = this.#entries.get(id);
    if (entry === undefined) return;
    this.#discard(id);
    await entry.iterator.return?.();
  }

  /** The connection `owner` went away: its streams linger for `lingerMs`, or close now. */
  orphan(owner: object): void {
    for (const [id, entry] of this.#entries) {
      if (entry.owner !== owner) continue;
      entry.owner = null;
      if (this.#options.lingerMs <= 0) {
        void this.close(id).catch(() => undefined);
      } else {
        entry.lingerTimer = setTimeout(() => {
          void this.close(id).catch(() => undefined);
        }, this.#options.lingerMs);
        entry.lingerTimer.unref();
      }
    }
  }

  /** Close every stream (daemon shutdown). */
  async closeAll(): Promise<void> {
    await Promise.allSettled([...this.#entries.keys()].map((id) => this.close(id)));
  }

  #discard(id: string): void {
    const entry = this.#entries.get(id);
    if (entry?.lingerTimer !== undefined) clearTimeout(entry.lingerTimer);
    this.#entries.delete(id);
  }

  #expire(): void {
    const { lifetimeMs } = this.#options;
    if (lifetimeMs <= 0) return;
    const now = Date.now();
    for (const [id, entry] of this.#entries) {
      if (now - entry.created > lifetimeMs) void this.close(id).catch(() => undefined);
    }
  }
}
