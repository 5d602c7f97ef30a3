/**
 * The types of typed clients (client.ts builds them): the descriptor a generated module
 * passes, the variants derived from its interface (batch, async, iterator), the per-call
 * options of `$with`, and the control members every client has.
 */
import type { AnnotationsFunction, AnnotationsOption } from "./call-options.js";
import type { Future } from "./future.js";
import type { ObjectMetadata } from "./metadata.js";
import type { PyroError } from "./errors.js";
import type { PyroProxy } from "./proxy.js";
import type { ProxyOptions } from "./proxy/settings.js";
import type { ResultCheck } from "./result-checks.js";
import type { SerializerName } from "./serializers/serializer.js";
import type { URI } from "./uri.js";

/** What a generated module knows about a remote object. */
export interface ClientDescriptor {
  /** The pyrogen version that generated the module. */
  readonly pyrogenVersion: string;
  /**
   * The URI the factory connects to when none is given; absent for a module generated from
   * Python source alone, and for the clients of objects a server hands out.
   */
  readonly uri?: string | undefined;
  /** Remote method names (oneway ones included), attributes excluded. */
  readonly methods: readonly string[];
  /** The methods marked `@oneway`: their calls resolve once sent. */
  readonly oneway: readonly string[];
  /** Remote attribute (Python property) names. */
  readonly attrs: readonly string[];
  /**
   * The serializer the module's types were generated for (what arrives depends on it): the
   * client's serializer unless its options name another.
   */
  readonly serializer?: SerializerName | undefined;
  /**
   * The Pyro generation the module was generated from, when not Pyro4 (5). A record only:
   * clients detect the generation on connect, so a module works against either.
   */
  readonly protocol?: number | undefined;
  /** Checks of results by member name (modules generated with `--validate`). */
  readonly checks?: Readonly<Record<string, ResultCheck>> | undefined;
  /**
   * Members whose result is a proxy of another remote object, by member name: the proxy
   * arrives as a typed client built from that object's descriptor.
   */
  readonly clients?: Readonly<Record<string, () => ClientDescriptor>> | undefined;
  /**
   * Python's names of a method's positional parameters (`null` for positional-only ones), by
   * method: an argument left `undefined` before others is then skipped, and the ones after
   * it travel as keyword arguments, so Python uses the skipped parameter's default.
   */
  readonly parameters?: Readonly<Record<string, readonly (string | null)[]>> | undefined;
}

/** A call recorded inside `$batch`; the batch resolves it to a value of type `R`. */
export class BatchCall<R> {
  /** The position of the call in its batch. */
  readonly index: number;
  /** Type only: the result type. Never set at run time. */
  declare readonly resultType?: R;
  constructor(index: number) {
    this.index = index;
  }
}

/** The results of a batch, typed position by position from the recorded calls. */
export type BatchResults<T extends readonly BatchCall<unknown>[]> = {
  -readonly [K in keyof T]: T[K] extends BatchCall<infer R> ? R : never;
};

/**
 * What `$batch.settled` resolves to: the results of the calls before the one that raised
 * (all of them when none did), and that call's error. Pyro4's batch result generator
 * yields the same results, then raises.
 */
export interface BatchSettled<T extends readonly BatchCall<unknown>[]> {
  /** The results in call order, up to (not including) the failed call. */
  readonly values: Partial<BatchResults<T>>;
  /** How many calls completed. */
  readonly completed: number;
  /** The remote error of the call that raised; `undefined` when every call completed. */
  readonly error: PyroError | undefined;
}

/** The item type of an iterable result: a list's element, a set's or a generator's item. */
export type ItemOf<R> = R extends readonly (infer I)[]
  ? I
  : R extends ReadonlySet<infer I>
    ? I
    : R extends AsyncIterable<infer I>
      ? I
      : unknown;

type AnyMethod = (...args: never[]) => unknown;

/** The methods of a client interface (members that are functions). */
export type MethodsOf<T> = { [K in keyof T as T[K] extends AnyMethod ? K : never]: T[K] };

/** The attributes of a client interface (members that are not functions), as value types. */
export type AttributesOf<T> = {
  -readonly [K in keyof T as T[K] extends AnyMethod ? never : K]: Awaited<T[K]>;
};

/** The batch variant of a client interface: each method returns a {@link BatchCall}. */
export type BatchVariant<T> = {
  readonly [K in keyof MethodsOf<T>]: MethodsOf<T>[K] extends (...args: infer A) => infer R
    ? (...args: A) => BatchCall<Awaited<R>>
    : never;
};

/** The async variant of a client interface: each method returns a {@link Future}. */
export type AsyncVariant<T> = {
  readonly [K in keyof MethodsOf<T>]: MethodsOf<T>[K] extends (...args: infer A) => infer R
    ? (...args: A) => Future<Awaited<R>>
    : never;
};

/**
 * The iterator variant of a client interface: each method returns an async generator of
 * the items, for `for await` or for stepping by hand with `next()` (Python's `next(gen)`);
 * `return()` closes the remote stream.
 */
export type IterVariant<T> = {
  readonly [K in keyof MethodsOf<T>]: MethodsOf<T>[K] extends (...args: infer A) => infer R
    ? (...args: A) => AsyncGenerator<ItemOf<Awaited<R>>, void, undefined>
    : never;
};

/**
 * Options of the calls made through a `$with(options)` view of a client: every call form
 * (plain, `$get`/`$set`, `$batch`, `$async`, `$iter`) uses them.
 */
export interface ClientCallOptions {
  /** Abort the call (once the request is written this closes the connection). */
  readonly signal?: AbortSignal | undefined;
  /** Milliseconds to wait for the connection and for reply data; 0 = forever. */
  readonly timeoutMs?: number | undefined;
  /**
   * Annotations for these calls, on top of the client's (a key given here wins); a function
   * is called for every request.
   */
  readonly annotations?: AnnotationsOption | undefined;
}

/** Options of `createClient` and of a generated `connect…()`: proxy options plus the target. */
export interface ClientOptions extends ProxyOptions {
  /** The object to talk to; default: the descriptor's URI. */
  uri?: string | URI;
  /** Use this proxy instead of creating one (its options win). */
  proxy?: PyroProxy;
}

/** Builds a batch: records calls on its argument and returns them. */
export type BatchBuilder<T, C extends readonly BatchCall<unknown>[]> = (
  batch: BatchVariant<T>,
) => readonly [...C];

/**
 * `client.$batch`: several calls in one message (Pyro4's batch proxy), in four forms. The
 * daemon runs the calls in order and stops at the first that raises.
 */
export interface BatchMethod<T> {
  /**
   * Resolve to the results as a typed tuple; if a call raised, reject with its remote error.
   */
  <C extends readonly BatchCall<unknown>[]>(build: BatchBuilder<T, C>): Promise<BatchResults<C>>;
  /** Resolve to the results before the call that raised, and its error (see {@link BatchSettled}). */
  settled<C extends readonly BatchCall<unknown>[]>(
    build: BatchBuilder<T, C>,
  ): Promise<BatchSettled<C>>;
  /** Send the batch in the background (Pyro4's async batch): a `Future` of the typed tuple. */
  async<C extends readonly BatchCall<unknown>[]>(
    build: BatchBuilder<T, C>,
  ): Future<BatchResults<C>>;
  /** Send as a oneway batch: resolves once written; no results or errors come back. */
  oneway<C extends readonly BatchCall<unknown>[]>(build: BatchBuilder<T, C>): Promise<void>;
}

/**
 * The control members every client has; all start with `$` so no remote name collides.
 * `W` names the attributes `$set` may write (all of them unless the module knows better).
 * Times are in milliseconds (only the `PYRO_*` configuration items keep Pyro4's seconds).
 */
export interface ClientControls<
  T extends object,
  W extends keyof AttributesOf<T> = keyof AttributesOf<T>,
> {
  /** The underlying proxy (for `$call` of a name the client has no member for). */
  readonly $proxy: PyroProxy;
  /** The descriptor the client was built from. */
  readonly $descriptor: ClientDescriptor;
  /**
   * The same client whose calls use `options` (on top of this view's own): e.g.
   * `await client.$with({ signal, timeoutMs: 500 }).play("x")`. Views share the connection
   * and the settings below.
   */
  $with(options: ClientCallOptions): Client<T, W>;
  /** Read a remote attribute (the same as reading the member). */
  $get<K extends keyof AttributesOf<T> & string>(name: K): Promise<AttributesOf<T>[K]>;
  /** Write a remote attribute: `await client.$set("volume", 7)` (read-only ones do not compile). */
  $set<K extends W & string>(name: K, value: AttributesOf<T>[K]): Promise<void>;
  /** Several calls in one message; see {@link BatchMethod}. */
  readonly $batch: BatchMethod<T>;
  /** Each method as an asynchronous call on its own connection, returning a `Future`. */
  readonly $async: AsyncVariant<T>;
  /**
   * Each method as an async generator: the items of a remote generator (streamed; `break`
   * or `return()` closes the stream on the daemon) or of a returned list or set. The call is
   * made when iteration (or the first `next()`) starts.
   */
  readonly $iter: IterVariant<T>;

  /** The object's URI: the one given, or the resolved `PYRO:` URI once bound. */
  readonly $uri: URI;
  /** The connected object's id (Pyro4's `_pyroUri.object`): resolved once bound. */
  readonly $objectId: string;
  /** True while a connection is open. */
  readonly $connected: boolean;
  /** The object's metadata once known (after connecting), else `null`. */
  readonly $metadata: ObjectMetadata | null;
  /** Timeout in ms for connecting and of inactivity while waiting for replies; 0 = none. */
  $timeoutMs: number;
  /** How often a call is re-sent after a lost connection or a timeout (it may run again). */
  $maxRetries: number;
  /** The HMAC key (`undefined` = none); setting it closes the connection. */
  get $hmacKey(): Uint8Array | undefined;
  set $hmacKey(key: string | Uint8Array | null | undefined);
  /** Annotations sent with every request: fixed, or a function called per request. */
  get $annotations(): ReadonlyMap<string, Uint8Array> | AnnotationsFunction;
  set $annotations(annotations: AnnotationsOption);
  /** The handshake value sent with the next CONNECT. */
  $handshake: unknown;
  /** The handshake response of the current connection (`undefined` when not connected). */
  readonly $handshakeResponse: unknown;
  /** The serializer of the next requests. */
  $serializer: SerializerName;
  /** The correlation id (a UUID) sent as `CORR` with every request, or `null`. */
  $correlationId: string | null;
  /** The annotations of the last reply (the CONNECT reply's, then each call's). */
  readonly $responseAnnotations: ReadonlyMap<string, Uint8Array>;
  /** Connect now (resolving a `PYRONAME:`) and pin the resolved URI. */
  $bind(): Promise<void>;
  /** Ping the daemon over the client's connection (connecting first when needed). */
  $ping(): Promise<void>;
  /**
   * Close the connection and open a new one, up to `tries` times, `delayMs` apart (Pyro4's
   * `_pyroReconnect`).
   */
  $reconnect(tries?: number, delayMs?: number): Promise<void>;
  /** Close the connection (a later call reconnects). */
  $release(): void;
  /** `await using client = connect…()` releases the connection at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * A typed client: `T` is the generated interface (methods returning promises, attributes as
 * readonly promise-valued members) plus the control members; `W` names the attributes that
 * can be written.
 */
export type Client<T extends object, W extends keyof AttributesOf<T> = keyof AttributesOf<T>> = T &
  ClientControls<T, W>;
