/**
 * Remote iterators: when a remote method returns a Python iterator or generator, the
 * daemon keeps it under a stream id and `$call` resolves to a {@link RemoteIterator} that
 * pulls the items one by one with `Pyro.Daemon.get_next_stream_item` on the proxy's
 * connection.
 */
import { PyroError } from "./errors.js";
import { MessageFlag } from "./protocol/constants.js";
import type { RemoteObject } from "./proxy/remote-object.js";

/** The daemon's own object, which serves the stream calls. */
const DAEMON_OBJECT = "Pyro.Daemon";

/** Closes the stream of an iterator that was dropped unfinished (Pyro4 does it in `__del__`). */
const abandoned = new FinalizationRegistry<{ proxy: RemoteObject; streamId: string }>(
  ({ proxy, streamId }) => {
    if (proxy.$connected) closeStream(proxy, streamId).catch(() => undefined);
  },
);

/** The oneway `close_stream` call. */
function closeStream(proxy: RemoteObject, streamId: string): Promise<unknown> {
  return proxy.$invoke(
    "close_stream",
    [streamId],
    {},
    {
      objectId: DAEMON_OBJECT,
      flags: MessageFlag.ONEWAY,
    },
  );
}

/**
 * The items of a remote generator as an `AsyncIterable`. `None` items are values (`null`);
 * the generator's end (`StopIteration`) ends the iteration; an exception raised inside the
 * generator rejects the `next()` of the item where it happened. `break` (or `return()`, or
 * `await using`) closes the stream on the daemon with a oneway `close_stream`; so does
 * dropping an unfinished iterator, once the garbage collector reclaims it (as in Pyro4).
 *
 * After the proxy's connection is lost or released, `next()` fails with
 * `connection-closed` until the proxy is connected again (any call, or `$reconnect()`);
 * then the iteration continues if the daemon kept the stream (ITER_STREAM_LINGER, 30 s by
 * default) and fails with `item stream terminated` if it did not — Pyro4's linger rules.
 */
export class RemoteIterator<T = unknown> implements AsyncIterableIterator<T>, AsyncDisposable {
  /** The daemon's id of the stream (a UUID string). */
  readonly streamId: string;
  readonly #proxy: RemoteObject;
  #finished = false;
  /** Items are fetched one after another even when `next()` is called concurrently. */
  #last: Promise<unknown> = Promise.resolve();

  /** The iterator over stream `streamId`, pulled through `proxy` (the one whose call started it). */
  constructor(streamId: string, proxy: RemoteObject) {
    this.streamId = streamId;
    this.#proxy = proxy;
    abandoned.register(this, { proxy, streamId }, this);
  }

  /** True once the stream ended, failed inside the generator, or was closed. */
  get finished(): boolean {
    return this.#finished;
  }

  /** Fetch the next item from the daemon. */
  next(): Promise<IteratorResult<T, undefined>> {
    const result = this.#last.then(
      () => this.#fetch(),
      () => this.#fetch(),
    );
    this.#last = result;
    return result;
  }

  /** Stop early: close the stream on the daemon (oneway) unless it already ended. */
  async return(): Promise<IteratorResult<T, undefined>> {
    if (!this.#finished) {
      this.#finish();
      // Without a connection there is nothing to close: the daemon drops the stream itself
      // after its linger time.
      if (this.#proxy.$connected) {
        try {
          await closeStream(this.#proxy, this.streamId);
        } catch (error) {
          if (!(error instanceof PyroError && error.isCommunicationError)) throw error;
        }
      }
    }
    return { done: true, value: undefined };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** `await using items = await proxy.$call("gen")` closes the stream at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }

  #finish(): void {
    this.#finished = true;
    abandoned.unregister(this);
  }

  async #fetch(): Promise<IteratorResult<T, undefined>> {
    if (this.#finished) return { done: true, value: undefined };
    if (!this.#proxy.$connected) {
      throw new PyroError(
        "connection-closed",
        `the proxy for this stream result has been closed (stream ${this.streamId}); ` +
          "reconnect it (proxy.$reconnect() or any call) to continue while the daemon keeps " +
          "the stream (ITER_STREAM_LINGER)",
      );
    }
    try {
      const reply = await this.#proxy.$invoke(
        "get_next_stream_item",
        [this.streamId],
        {},
        {
          objectId: DAEMON_OBJECT,
        },
      );
      return { done: false, value: reply?.value as T };
    } catch (error) {
      if (error instanceof PyroError && error.remote !== undefined) {
        // The daemon discarded the stream: it ended (StopIteration) or the generator raised.
        this.#finish();
        if (error.remote.type === "builtins.StopIteration") return { done: true, value: undefined };
      }
      throw error;
    }
  }
}
