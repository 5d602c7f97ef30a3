/**
 * A proxy's session: its one connection and everything about it — the shared lazy connect
 * (one attempt however many callers wait), sequence numbers, the metadata and annotations
 * the daemon sent, bind, release and reconnect.
 *
 * A connection the daemon closed between calls fails the next call once with
 * `connection-closed`, as in Pyro4 ({@link Session.openOrFail}). The connection holds only a
 * `WeakRef` to its session, and a session the garbage collector reclaims (its proxy was
 * dropped) has its connection closed, as Pyro4's `__del__` does.
 */
import { abortedError, checkTimeout, type CallOptions } from "../call-options.js";
import { Cancel } from "../cancel.js";
import { PyroError } from "../errors.js";
import type { ObjectMetadata } from "../metadata.js";
import type { MessageChannel } from "../protocol/channel.js";
import type { URI } from "../uri.js";
import { openConnection, type Connection } from "./connection.js";
import type { ProxySettings } from "./settings.js";

/** Turns a proxy's URI into the `PYRO:` URI to connect to (PYRONAME/PYROMETA through a name server). */
export type Resolver = (uri: URI, settings: ProxySettings) => Promise<URI>;

/** One proxy's connection state; see the module comment. */
export class Session {
  readonly #resolve: Resolver;
  #connection: Connection | null = null;
  #connecting: { promise: Promise<Connection>; abort: Cancel } | null = null;
  #seq = 0;
  /** The resolved URI, once `bind()` pinned it. */
  bound: URI | null = null;
  /** The object's metadata once known (a snapshot, then each CONNECTOK's). */
  metadata: ObjectMetadata | null;
  /** The annotations of the last reply (the CONNECTOK's, then each call's). */
  responseAnnotations: ReadonlyMap<string, Uint8Array> = new Map();

  /** A session with nothing connected; `resolve` runs before every unbound (re)connect. */
  constructor(metadata: ObjectMetadata | null, resolve: Resolver) {
    this.metadata = metadata;
    this.#resolve = resolve;
  }

  /** The current connection (open or not yet forgotten), or `null`. */
  get connection(): Connection | null {
    return this.#connection;
  }

  /** True while a connection is open. */
  get connected(): boolean {
    return this.#connection !== null && !this.#connection.channel.closed;
  }

  /** The next sequence number (u16). */
  nextSeq(): number {
    this.#seq = (this.#seq + 1) & 0xffff;
    return this.#seq;
  }

  /**
   * The open connection; `null` when there is none (the next call connects). A connection the
   * daemon closed between calls is forgotten and fails this one call with `connection-closed`,
   * as Pyro4's does: reconnecting silently could swap a session object behind the caller.
   */
  openOrFail(): Connection | null {
    const open = this.#connection;
    if (open === null || !open.channel.closed) return open;
    this.#connection = null;
    const reason = open.channel.closeReason?.message ?? "closed";
    throw new PyroError(
      "connection-closed",
      `the connection to ${open.uri.location ?? open.uri.toString()} was closed since the last ` +
        `call (${reason}); nothing was sent. The next call opens a new connection ` +
        "(with maxRetries, this one is re-sent on it at once)",
      { cause: open.channel.closeReason },
    );
  }

  /** The metadata to check names against, connecting first if it is wanted but unknown. */
  async knownMetadata(
    settings: ProxySettings,
    options: CallOptions,
  ): Promise<ObjectMetadata | null> {
    if (!settings.metadata) return null;
    if (this.metadata === null) await this.connect(settings, options);
    return this.metadata;
  }

  /** The open connection, or a new one (shared by every caller waiting for it). */
  async connect(settings: ProxySettings, options: CallOptions): Promise<Connection> {
    const open = this.#connection;
    if (open !== null && !open.channel.closed) return open;
    let attempt = this.#connecting;
    if (attempt === null) {
      const abort = new Cancel();
      const promise = this.#open(settings, callTimeout(settings, options), abort);
      const current = { promise, abort };
      attempt = current;
      this.#connecting = current;
      const clear = (): void => {
        if (this.#connecting === current) this.#connecting = null;
      };
      promise.then(clear, clear);
    }
    // A caller's abort stops the shared attempt: waiting callers fail alike, nothing hangs.
    const signal = options.signal;
    if (signal === undefined) return attempt.promise;
    if (signal.aborted) throw abortedError(signal, "call");
    const abort = attempt.abort;
    const onAbort = (): void => abort.abort(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      return await attempt.promise;
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }

  /** Connect now and pin the resolved URI, so later reconnects skip the name server. */
  async bind(settings: ProxySettings, options: CallOptions): Promise<void> {
    const connection = await this.connect(settings, options);
    this.bound = connection.uri;
  }

  /**
   * Close the connection and open a new one, trying up to `tries` times with `delayMs`
   * between tries. Fails with `connection-closed` when every try failed.
   */
  async reconnect(settings: ProxySettings, tries: number, delayMs: number): Promise<void> {
    this.release();
    let last: unknown;
    for (let attempt = 1; attempt <= tries; attempt++) {
      try {
        await this.connect(settings, {});
        return;
      } catch (error) {
        last = error;
        if (attempt < tries) await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
    const why = last instanceof Error ? last.message : String(last);
    throw new PyroError(
      "connection-closed",
      `failed to reconnect to ${(this.bound ?? settings.uri).toString()} after ${tries} tries: ${why}`,
      { cause: last },
    );
  }

  /** Close the connection (calls in flight fail with `connection-closed`). */
  release(): void {
    const connecting = this.#connecting;
    this.#connecting = null;
    connecting?.abort.abort(new PyroError("connection-closed", "the proxy was released"));
    const connection = this.#connection;
    this.#connection = null;
    connection?.channel.close();
  }

  async #open(settings: ProxySettings, timeoutMs: number, signal: Cancel): Promise<Connection> {
    let connection: Connection;
    try {
      // A PYRO: URI needs no resolving: no name-server step, not even an await.
      const given = settings.uri;
      const uri =
        this.bound ?? (given.protocol === "PYRO" ? given : await this.#resolve(given, settings));
      connection = await openConnection(settings, { uri, seq: this.#seq, timeoutMs, signal });
    } catch (error) {
      if (signal.aborted && !(error instanceof PyroError)) throw abortedError(signal, "connecting");
      throw error;
    }
    const uri = connection.uri;
    try {
      await settings.validateHandshake?.(connection.response, {
        uri,
        peerCertificate: connection.peerCertificate,
      });
    } catch (error) {
      connection.channel.close();
      const why = error instanceof Error ? error.message : String(error);
      throw new PyroError(
        "communication",
        `connection to ${uri.location ?? uri.toString()} refused by validateHandshake: ${why}`,
        { cause: error },
      );
    }
    if (signal.aborted) {
      connection.channel.close();
      throw abortedError(signal, "connecting");
    }
    // With METADATA off none is used, though a Pyro5 daemon always sends it.
    if (settings.metadata && connection.metadata !== null) this.metadata = connection.metadata;
    this.#connection = connection;
    this.responseAnnotations = connection.annotations;
    const channel = connection.channel;
    // Only a weak reference from the connection back to the session: the socket must not
    // keep a dropped proxy alive, whose connection the finalizer then closes.
    const session = new WeakRef(this);
    // A registration keeps what it holds out of reach of minor collections until the next
    // major one, even once withdrawn: holding the channel itself moved every released
    // connection (socket, reader, session, ~10 KB) into the old generation. The box is
    // emptied on close, so only the box stays behind. One registration per connection,
    // withdrawn on close: one left in place for the session's life kept the session itself
    // from minor collections (test/proxy/idle-connections.test.ts sees either).
    const held: HeldChannel = { channel };
    droppedSessions.register(this, held, held);
    channel.onClose(() => {
      droppedSessions.unregister(held);
      held.channel = undefined;
      const alive = session.deref();
      if (alive !== undefined) alive.#connectionClosed(connection);
    });
    return connection;
  }

  /**
   * Forget a closed connection, unless the daemon closed it while no call waited: then the
   * next call must learn of it (see {@link openOrFail}).
   */
  #connectionClosed(connection: Connection): void {
    if (this.#connection === connection && !connection.channel.diedIdle) this.#connection = null;
  }
}

/** The timeout of one call: its own, else the proxy's. */
export function callTimeout(settings: ProxySettings, options: CallOptions): number {
  return options.timeoutMs === undefined
    ? settings.timeoutMs
    : checkTimeout(options.timeoutMs, "timeoutMs");
}

/** A session's open channel, as its finalizer holds it: emptied once the channel closes. */
interface HeldChannel {
  channel: MessageChannel | undefined;
}

/** Closes the connection of a session the garbage collector reclaimed (Pyro4's `__del__`). */
const droppedSessions = new FinalizationRegistry<HeldChannel>((held) => held.channel?.close());
