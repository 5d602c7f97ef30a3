/**
 * The result of an asynchronous call: Pyro4's `FutureResult` (`value`, `ready`, `wait`,
 * `then`, `iferror`) shaped as a TypeScript thenable, so `await future` works as well.
 *
 * Used for `proxy.$async.call(…)`, async batches and plain local functions
 * ({@link Future.fromFunction}; {@link Future.deferred} is Pyro4's `Future(callable)` with
 * `delay` and `cancel`).
 */

/** Called with the error when a future's computation fails. */
export type FutureErrorHandler = (error: unknown) => void;

/**
 * A value that becomes available later. Unlike a bare promise, a failed future that nobody
 * reads is silently ignored (as in Pyro4): the error surfaces only when `value` is awaited,
 * through `iferror` handlers, or through a `then` chain.
 */
export class Future<T> implements PromiseLike<T> {
  readonly #promise: Promise<T>;
  #ready = false;

  /** Wrap a computation that is already running. */
  constructor(source: PromiseLike<T>) {
    const settle = (): void => {
      this.#ready = true;
    };
    this.#promise = Promise.resolve(source);
    // Marking the promise handled here is what makes an unread failure silent.
    this.#promise.then(settle, settle);
  }

  /**
   * Run a plain local function asynchronously (after the current call stack), like Pyro4's
   * `Future(callable)(*args)`: a thrown exception or a rejected promise becomes the
   * future's error.
   */
  static fromFunction<A extends unknown[], R>(
    fn: (...args: A) => R | PromiseLike<R>,
    ...args: A
  ): Future<Awaited<R>> {
    return new Future(
      new Promise<Awaited<R>>((resolve, reject) => {
        setImmediate(() => {
          try {
            resolve(fn(...args) as Awaited<R> | PromiseLike<Awaited<R>>);
          } catch (error) {
            reject(error);
          }
        });
      }),
    );
  }

  /**
   * Pyro4's `Future(callable)`: a function to run later, with `args` given at
   * {@link DeferredCall.call}, which may first be delayed or cancelled.
   */
  static deferred<A extends unknown[], R>(
    fn: (...args: A) => R | PromiseLike<R>,
  ): DeferredCall<A, Awaited<R>> {
    return new DeferredCall(fn as (...args: A) => Awaited<R> | PromiseLike<Awaited<R>>);
  }

  /** The result; awaiting it throws the error if the computation failed. */
  get value(): Promise<T> {
    return this.#promise;
  }

  /** True once the result (value or error) is available. */
  get ready(): boolean {
    return this.#ready;
  }

  /**
   * Wait until the result is available, at most `timeoutMs` milliseconds (forever when
   * omitted). Resolves `true` when it is ready, `false` on timeout; never throws.
   */
  async wait(timeoutMs?: number): Promise<boolean> {
    if (this.#ready) return true;
    const settled = this.#promise.then(
      () => true,
      () => true,
    );
    if (timeoutMs === undefined) return settled;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.max(0, timeoutMs));
    });
    try {
      return await Promise.race([settled, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Chain a computation on the result: returns a new future holding what `onfulfilled`
   * returns (or `onrejected`, for an error). Also makes the future a thenable, so
   * `await future` works.
   *
   * Unlike Pyro4's `FutureResult.then(call, *args, **kwargs)`, which calls
   * `call(value, *args, **kwargs)` and changes the future in place, this takes one function
   * (bind extra arguments with a closure: `f.then((v) => add(v, 1))`), leaves this future
   * as it was and returns a new one, as a promise's `then` does; an error skips the
   * `onfulfilled` steps until an `onrejected`, where Pyro4 skips every step.
   */
  then<U = T, E = never>(
    onfulfilled?: ((value: T) => U | PromiseLike<U>) | null,
    onrejected?: ((error: unknown) => E | PromiseLike<E>) | null,
  ): Future<U | E> {
    return new Future<U | E>(this.#promise.then(onfulfilled, onrejected));
  }

  /**
   * Call `handler` with the error if the computation fails (also when it has already
   * failed). Returns this future, whose `value` still throws. Exceptions thrown by the
   * handler are ignored: they must not turn a handled failure into a crash.
   */
  iferror(handler: FutureErrorHandler): this {
    this.#promise.then(undefined, (error: unknown) => {
      try {
        handler(error);
      } catch {
        // see the doc comment: a failing handler does not change the future
      }
    });
    return this;
  }
}

/**
 * A function that runs when {@link call} starts it, after its {@link delay}, unless it was
 * cancelled first: Pyro4's `Future(callable)` object. Made by {@link Future.deferred}.
 */
export class DeferredCall<A extends unknown[], R> {
  readonly #fn: (...args: A) => unknown;
  /** Steps chained with {@link chain}, run on the result in order. */
  readonly #chain: ((value: unknown) => unknown)[] = [];
  #delayMs = 0;
  #called = false;
  #started = false;
  #cancelled = false;
  /** While a started call waits out its delay: ends that wait early. */
  #stopWaiting: (() => void) | undefined;

  constructor(fn: (...args: A) => R | PromiseLike<R>) {
    this.#fn = fn;
  }

  /**
   * Start the function with `args`: it runs after the delay (at the earliest after the
   * current call stack, as {@link Future.fromFunction}). Throws once called or cancelled.
   */
  call(...args: A): Future<R> {
    if (this.#called) throw new Error("the future has already been evaluated");
    if (this.#cancelled) throw new Error("the future has been cancelled");
    this.#called = true;
    return new Future(this.#run(args));
  }

  /**
   * Chain `fn` on the result before the call is started, as Pyro4's `Future.then`: the
   * future that {@link call} returns then holds `fn`'s result. Returns this deferred call,
   * now typed with the new result; throws once called. (Not named `then`: that would make
   * a deferred call a thenable, which `await` would wait on forever.)
   */
  chain<U>(fn: (value: R) => U | PromiseLike<U>): DeferredCall<A, Awaited<U>> {
    if (this.#called) throw new Error("the future has already been evaluated");
    this.#chain.push(fn as (value: unknown) => unknown);
    return this as unknown as DeferredCall<A, Awaited<U>>;
  }

  /**
   * Run the function `ms` milliseconds after {@link call} (also while a call already waits:
   * the wait starts over). False once the function has started, as in Pyro4.
   */
  delay(ms: number): boolean {
    if (this.#started) return false;
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`delay must be a number of milliseconds >= 0, not ${ms}`);
    }
    this.#delayMs = ms;
    this.#stopWaiting?.();
    return true;
  }

  /**
   * Cancel the function if it has not started: a waiting call's future then fails with
   * "the future has been cancelled". False once it has started, as in Pyro4.
   */
  cancel(): boolean {
    if (this.#started) return false;
    this.#cancelled = true;
    this.#stopWaiting?.();
    return true;
  }

  async #run(args: A): Promise<R> {
    // A new delay or a cancel ends the current wait; a new delay then starts over.
    for (let interrupted = true; interrupted && !this.#cancelled;) {
      interrupted = await this.#wait(this.#delayMs);
      this.#stopWaiting = undefined;
    }
    if (this.#cancelled) throw new Error("the future has been cancelled");
    this.#started = true;
    let value: unknown = await this.#fn(...args);
    for (const step of this.#chain) value = await step(value);
    return value as R;
  }

  /** Resolves false after `ms`, or true as soon as {@link delay} or {@link cancel} is called. */
  #wait(ms: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(resolve, ms, false);
      this.#stopWaiting = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }
}
