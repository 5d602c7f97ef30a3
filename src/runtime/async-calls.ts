/**
 * Asynchronous calls, `proxy.$async.call(…)`: as in Pyro4, each call runs on a
 * copy of the proxy — its own connection with its own handshake, closed when the call is
 * done — so calls run in parallel on a thread-pool daemon, and the result is a
 * {@link Future}.
 */
import type { CallOptions } from "./call-options.js";
import { PyroError } from "./errors.js";
import { Future } from "./future.js";
import type { RemoteObject } from "./proxy/remote-object.js";

/** The asynchronous face of one proxy; see the module comment. */
export class AsyncCalls {
  readonly #proxy: RemoteObject;

  /** The asynchronous face of `proxy`. */
  constructor(proxy: RemoteObject) {
    this.#proxy = proxy;
  }

  /** Call `method` on a new connection; the future holds its result or remote error. */
  call(
    method: string,
    args: readonly unknown[] = [],
    kwargs?: Readonly<Record<string, unknown>> | null,
    options: CallOptions = {},
  ): Future<unknown> {
    return new Future(this.#run(method, args, kwargs, options));
  }

  async #run(
    method: string,
    args: readonly unknown[],
    kwargs: Readonly<Record<string, unknown>> | null | undefined,
    options: CallOptions,
  ): Promise<unknown> {
    const copy = this.#proxy.$copy();
    try {
      await connectWhenWorkerFree(copy, options);
      return await copy.$call(method, args, kwargs, options);
    } finally {
      copy.$release();
    }
  }
}

/**
 * Connect `proxy`, waiting while a thread-pool daemon refuses with "no free workers" (every
 * async call takes a connection, and so a worker). Like Pyro4: a growing random delay,
 * given up once it exceeds half the timeout (never, without a timeout).
 */
async function connectWhenWorkerFree(proxy: RemoteObject, options: CallOptions): Promise<void> {
  const timeoutMs = options.timeoutMs ?? proxy.$timeout;
  let delayMs = 100 + Math.random() * 200;
  for (;;) {
    try {
      // Binding pins the resolved URI on this throwaway copy only.
      await proxy.$bind(options);
      return;
    } catch (error) {
      const busy = error instanceof PyroError && error.message.includes("no free workers");
      if (!busy || (timeoutMs > 0 && delayMs > timeoutMs / 2)) throw error;
      if (options.signal?.aborted === true) {
        throw new PyroError(
          "aborted",
          "the async call was aborted while waiting for a free worker",
          {
            cause: options.signal.reason,
          },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs += 400 + Math.random() * 500;
    }
  }
}
