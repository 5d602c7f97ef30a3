/**
 * Batched calls: calls recorded on a {@link BatchProxy} travel to the daemon as one INVOKE
 * of `<batch>` with flag BATCH; the daemon runs them in order and stops at the first
 * exception, which comes back as the last result (Pyro4's `Pyro4.futures._ExceptionWrapper`,
 * revived by the proxy as an {@link ExceptionWrapper}).
 */
import { PyroError } from "./errors.js";
import { Future } from "./future.js";
import { MessageFlag } from "./protocol/constants.js";
import type { RemoteObject } from "./proxy/remote-object.js";
import { emptyKwargs } from "./serializers/catalog.js";

/**
 * The wrapper of a batch's failed call (Pyro4's `Pyro4.futures._ExceptionWrapper`): a proxy
 * revives the protocol's wrapper class dict into one.
 */
export class ExceptionWrapper {
  /** The failed call's error. */
  readonly error: unknown;
  constructor(error: unknown) {
    this.error = error;
  }
}

/** Options of {@link BatchProxy.send}. */
export interface BatchSendOptions {
  /** Send as a oneway batch: no results, resolves once the message is written. */
  readonly oneway?: boolean;
  /** Abort waiting for the results (this closes the proxy's connection). */
  readonly signal?: AbortSignal;
  /** Milliseconds to wait for the results; default: the proxy's timeout. */
  readonly timeoutMs?: number;
}

/**
 * The results of a batch, in call order. Iterating yields each result and throws the remote
 * error at the position of the call that raised (as Pyro4's results generator does); the
 * calls after it did not run.
 */
export class BatchResultList<T = unknown> implements Iterable<T> {
  /** The results of the calls that completed, in call order. */
  readonly values: readonly T[];
  /** The error of the call that raised, or `undefined` when every call completed. */
  readonly error: unknown;

  constructor(values: readonly T[], error?: unknown) {
    this.values = values;
    this.error = error;
  }

  /** How many calls completed (the failed call, if any, is not counted). */
  get length(): number {
    return this.values.length;
  }

  *[Symbol.iterator](): Iterator<T> {
    yield* this.values;
    if (this.error !== undefined) throw this.error;
  }
}

/** One recorded call: `[method, vargs, kwargs]`, the shape the daemon unpacks. */
type RecordedCall = [string, unknown[], Record<string, unknown>];

/**
 * Records calls for one batch on a proxy (`proxy.$batch()`), then sends them in one
 * message. After sending, the recorder is empty and can be reused.
 */
export class BatchProxy {
  readonly #proxy: RemoteObject;
  #calls: RecordedCall[] = [];

  /** A recorder for calls on `proxy`. */
  constructor(proxy: RemoteObject) {
    this.#proxy = proxy;
  }

  /** Record a call of `method` with positional `args` and keyword `kwargs`. */
  call(
    method: string,
    args: readonly unknown[] = [],
    kwargs?: Readonly<Record<string, unknown>> | null,
  ): this {
    this.#calls.push([method, [...args], { ...kwargs }]);
    return this;
  }

  /** How many calls are recorded and not yet sent. */
  get size(): number {
    return this.#calls.length;
  }

  /**
   * Send the recorded calls as one message and resolve with their results. A method the
   * daemon cannot resolve fails the whole batch (the promise rejects); an exception raised
   * by a call ends the batch there (see {@link BatchResultList}).
   */
  send(options: BatchSendOptions & { oneway: true }): Promise<undefined>;
  send(options?: BatchSendOptions & { oneway?: false }): Promise<BatchResultList>;
  send(options?: BatchSendOptions): Promise<BatchResultList | undefined>;
  async send(options: BatchSendOptions = {}): Promise<BatchResultList | undefined> {
    const calls = this.#calls;
    this.#calls = [];
    const oneway = options.oneway === true;
    // Pyro sends None as the outer kwargs, or {} where the serializer cannot carry it.
    const kwargs = emptyKwargs(this.#proxy.$serializer);
    const reply = await this.#proxy.$invoke("<batch>", calls, kwargs, {
      flags: MessageFlag.BATCH | (oneway ? MessageFlag.ONEWAY : 0),
      signal: options.signal,
      timeoutMs: options.timeoutMs,
    });
    if (oneway) return undefined;
    return toResults(reply?.value, calls.length);
  }

  /**
   * Send the recorded calls in the background (Pyro4's async batch, over the same
   * connection) and return a {@link Future} of the results.
   */
  sendAsync(options: Omit<BatchSendOptions, "oneway"> = {}): Future<BatchResultList> {
    return new Future(this.send({ ...options, oneway: false }));
  }
}

function toResults(value: unknown, sent: number): BatchResultList {
  if (!Array.isArray(value) || value.length > sent) {
    throw new PyroError(
      "protocol",
      `the daemon answered a batch of ${sent} calls with ${
        Array.isArray(value) ? `${value.length} results` : `a ${typeof value}`
      } instead of a list of results; is it a Pyro4 daemon?`,
    );
  }
  const failed = value.findIndex((item) => item instanceof ExceptionWrapper);
  if (failed < 0) return new BatchResultList(value);
  return new BatchResultList(value.slice(0, failed), batchError(value[failed] as ExceptionWrapper));
}

/** The error a wrapper carries; anything but an exception is a protocol violation. */
function batchError(wrapper: ExceptionWrapper): unknown {
  if (wrapper.error instanceof PyroError) return wrapper.error;
  return new PyroError(
    "protocol",
    "a batch result marked a failed call but carried no exception; is it a Pyro4 daemon?",
  );
}
