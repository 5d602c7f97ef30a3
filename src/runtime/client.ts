/**
 * The typed facade generated modules use: `createClient(descriptor, options)` builds, from
 * a frozen descriptor of a remote object, a client with one member per remote method and
 * attribute plus the `$`-prefixed control members. Behaviour lives here, once; a generated
 * module only adds types.
 *
 * ```ts
 * const music = connectMusicServer();                 // generated factory → createClient
 * await music.play("song");                           // method → proxy.$call
 * await music.volume;                                 // attribute read → proxy.$get
 * await music.$set("volume", 7);                      // attribute write → proxy.$set
 * const [a, b] = await music.$batch((b) => [b.status(), b.current()]);  // typed tuple
 * const f = music.$async.status();                    // Future
 * for await (const song of music.$iter.songs()) {}    // remote iterator or a returned list
 * ```
 */
import { PyroError } from "./errors.js";
import type { Future } from "./future.js";
import { isReservedMember } from "./member-names.js";
import { PyroProxy } from "./proxy.js";
import type { ProxyOptions } from "./proxy/settings.js";
import { checkItems, checkValue, type ResultCheck } from "./result-checks.js";
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

/** Keyword arguments for a remote call; pass `kwargs({...})` as the last argument. */
export class Kwargs<T extends object = Record<string, unknown>> {
  /** The keyword arguments. */
  readonly values: T;
  constructor(values: T) {
    this.values = values;
  }
}

/** Mark an object as keyword arguments: `client.play("x", kwargs({ loop: true }))`. */
export function kwargs<T extends object>(values: T): Kwargs<T> {
  return new Kwargs(values);
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

/** The iterator variant of a client interface: each method returns an `AsyncIterable`. */
export type IterVariant<T> = {
  readonly [K in keyof MethodsOf<T>]: MethodsOf<T>[K] extends (...args: infer A) => infer R
    ? (...args: A) => AsyncIterable<ItemOf<Awaited<R>>>
    : never;
};

/** Options of {@link createClient}: proxy options plus where to connect. */
export interface ClientOptions extends ProxyOptions {
  /** The object to talk to; default: the descriptor's URI. */
  uri?: string | URI;
  /** Use this proxy instead of creating one (its options win). */
  proxy?: PyroProxy;
}

/**
 * The control members every client has; all start with `$` so no remote name collides.
 * `W` names the attributes `$set` may write (all of them unless the module knows better).
 */
export interface ClientControls<T, W extends keyof AttributesOf<T> = keyof AttributesOf<T>> {
  /** The underlying proxy (for per-call options, `$call` of any name, `$bind`, …). */
  readonly $proxy: PyroProxy;
  /** The descriptor the client was built from. */
  readonly $descriptor: ClientDescriptor;
  /** Read a remote attribute (the same as reading the member). */
  $get<K extends keyof AttributesOf<T> & string>(name: K): Promise<AttributesOf<T>[K]>;
  /** Write a remote attribute: `await client.$set("volume", 7)` (read-only ones do not compile). */
  $set<K extends W & string>(name: K, value: AttributesOf<T>[K]): Promise<void>;
  /**
   * Send several calls in one message: `build` records calls on its argument and returns
   * them; the promise resolves to their results as a typed tuple. If a call raised, the
   * promise rejects with that remote error (the daemon stops the batch there, as in Pyro4).
   */
  $batch<C extends readonly BatchCall<unknown>[]>(
    build: (batch: BatchVariant<T>) => readonly [...C],
  ): Promise<BatchResults<C>>;
  /** Each method as an asynchronous call on its own connection, returning a `Future`. */
  readonly $async: AsyncVariant<T>;
  /**
   * Each method as an `AsyncIterable`: the items of a remote generator (streamed; `break`
   * closes the stream on the daemon) or of a returned list or set. The call is made when
   * iteration starts.
   */
  readonly $iter: IterVariant<T>;
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

type Member = (...args: unknown[]) => unknown;

/**
 * Build a client for the object `descriptor` describes. Members are own properties of a
 * prototype-less object, so names such as `constructor` or `__proto__` are ordinary members.
 * Names that {@link isReservedMember} refuses are skipped (use `$proxy.$call`).
 */
export function createClient<
  T extends object,
  W extends keyof AttributesOf<T> = keyof AttributesOf<T>,
>(descriptor: ClientDescriptor, options: ClientOptions = {}): Client<T, W> {
  const { uri, proxy: given, ...proxyOptions } = options;
  const proxy = given ?? newProxy(descriptor, uri, proxyOptions);
  const oneway = new Set(descriptor.oneway);
  const methods = descriptor.methods.filter((name) => !isReservedMember(name));
  const attrs = descriptor.attrs.filter((name) => !isReservedMember(name));
  const receivers = resultReceivers(descriptor);
  const receive = (name: string, result: Promise<unknown>): Promise<unknown> => {
    const receiver = receivers.get(name);
    return receiver === undefined ? result : result.then(receiver);
  };

  const split = (name: string, args: readonly unknown[]) =>
    splitKwargs(args, ownEntry(descriptor.parameters, name));
  const call = (name: string, args: unknown[]): Promise<unknown> => {
    const [vargs, kw] = split(name, args);
    if (oneway.has(name)) {
      return proxy.$call(name, vargs, kw, { oneway: true }).then(() => undefined);
    }
    return receive(name, proxy.$call(name, vargs, kw));
  };

  const asyncMembers = memberTable(methods, (name) => (...args: unknown[]): Future<unknown> => {
    const [vargs, kw] = split(name, args);
    const future = proxy.$async.call(name, vargs, kw);
    const receiver = oneway.has(name) ? undefined : receivers.get(name);
    return receiver === undefined ? future : future.then(receiver);
  });
  const iterMembers = memberTable(
    methods,
    (name) =>
      (...args: unknown[]) =>
        iterate(name, () => call(name, args)),
  );

  const get = (name: string): Promise<unknown> => receive(name, proxy.$get(name));
  const client: Record<PropertyKey, unknown> = Object.create(null) as Record<PropertyKey, unknown>;
  for (const name of methods) define(client, name, (...args: unknown[]) => call(name, args));
  for (const name of attrs) {
    Object.defineProperty(client, name, { enumerable: true, get: () => get(name) });
  }
  const controls: Record<string, unknown> = {
    $proxy: proxy,
    $descriptor: descriptor,
    $get: get,
    $set: async (name: string, value: unknown) => {
      await proxy.$set(name, value);
    },
    $batch: (build: (batch: object) => readonly unknown[]) =>
      runBatch(proxy, methods, build, receivers, split),
    $async: asyncMembers,
    $iter: iterMembers,
    $release: () => proxy.$release(),
  };
  for (const [name, value] of Object.entries(controls)) define(client, name, value);
  define(client, Symbol.asyncDispose, async () => {
    proxy.$release();
  });
  return client as Client<T, W>;
}

function newProxy(
  descriptor: ClientDescriptor,
  uri: string | URI | undefined,
  options: ProxyOptions,
): PyroProxy {
  const target = uri ?? descriptor.uri;
  if (target === undefined) {
    throw new PyroError(
      "config",
      "no URI for the client: the module was generated without one, so pass the object's URI " +
        "to its connect function",
    );
  }
  // The module's types describe what its serializer delivers; use it unless told otherwise.
  const serializer = options.serializer ?? descriptor.serializer;
  return new PyroProxy(target, serializer === undefined ? options : { ...options, serializer });
}

/**
 * What happens to each member's result when it arrives: its check (`--validate`), checks of
 * the items of a returned iterator, and turning a returned proxy into a typed client. Members
 * with none of these get no receiver, so their results take no extra step.
 */
function resultReceivers(
  descriptor: ClientDescriptor,
): Map<string, (value: unknown) => Promise<unknown>> {
  const receivers = new Map<string, (value: unknown) => Promise<unknown>>();
  const names = [...descriptor.methods, ...descriptor.attrs];
  for (const name of names) {
    const check = ownEntry(descriptor.checks, name);
    const clientOf = ownEntry(descriptor.clients, name);
    if (check === undefined && clientOf === undefined) continue;
    const kind = descriptor.attrs.includes(name) ? "remote attribute" : "remote method";
    const what = `${kind} ${JSON.stringify(name)}`;
    receivers.set(name, async (value) => {
      let result = check?.value === undefined ? value : await checkValue(check.value, value, what);
      if (check?.items !== undefined && isAsyncIterable(result)) {
        result = checkItems(result, check.items, `${what}'s result`);
      }
      if (clientOf !== undefined && result instanceof PyroProxy) {
        return createClient(clientOf(), { proxy: result });
      }
      return result;
    });
  }
  return receivers;
}

/** `table[name]` when it is the table's own entry (never an inherited `constructor`). */
function ownEntry<V>(table: Readonly<Record<string, V>> | undefined, name: string): V | undefined {
  return table !== undefined && Object.hasOwn(table, name) ? table[name] : undefined;
}

function define(target: object, key: PropertyKey, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: typeof key === "string" });
}

function memberTable(names: readonly string[], make: (name: string) => Member): object {
  const table = Object.create(null) as object;
  for (const name of names) define(table, name, make(name));
  return Object.freeze(table);
}

/**
 * Positional arguments and keyword arguments (a trailing `kwargs({...})`). An `undefined`
 * argument is one not given, as a TypeScript optional parameter: trailing ones are left out,
 * so Python uses their defaults; one followed by given arguments is skipped too when the
 * module knows Python's parameter names (`names`), the later arguments then travel as
 * keyword arguments. Otherwise it is sent as `None` (pass `null` to send `None` on purpose).
 */
function splitKwargs(
  args: readonly unknown[],
  names?: readonly (string | null)[],
): [unknown[], Record<string, unknown> | undefined] {
  const last = args[args.length - 1];
  const given =
    last instanceof Kwargs ? { ...(last.values as Record<string, unknown>) } : undefined;
  let end = given === undefined ? args.length : args.length - 1;
  while (end > 0 && args[end - 1] === undefined) end -= 1;
  const hole = args.indexOf(undefined);
  if (hole < 0 || hole >= end || names === undefined) return [args.slice(0, end), given];
  const later = names.slice(hole, end);
  if (later.some((name) => name === null || name === undefined)) return [args.slice(0, end), given];
  // fromEntries defines own keys, so even a parameter named `__proto__` is an ordinary key.
  const keywords = Object.fromEntries(
    later.flatMap((name, offset) => {
      const value = args[hole + offset];
      return value === undefined ? [] : [[name!, value]];
    }),
  ) as Record<string, unknown>;
  return [args.slice(0, hole), { ...keywords, ...given }];
}

async function runBatch(
  proxy: PyroProxy,
  methods: readonly string[],
  build: (batch: object) => readonly unknown[],
  receivers: ReadonlyMap<string, (value: unknown) => Promise<unknown>>,
  split: (
    name: string,
    args: readonly unknown[],
  ) => [unknown[], Record<string, unknown> | undefined],
): Promise<unknown[]> {
  const batch = proxy.$batch();
  let recorded = 0;
  const names: string[] = [];
  const recorder = memberTable(methods, (name) => (...args: unknown[]) => {
    const [vargs, kw] = split(name, args);
    batch.call(name, vargs, kw);
    names.push(name);
    return new BatchCall<unknown>(recorded++);
  });
  const calls = build(recorder);
  const indexes = calls.map((item) => {
    if (!(item instanceof BatchCall) || item.index >= recorded) {
      throw new PyroError(
        "pyro",
        "$batch: the callback must return calls made on its argument, e.g. (b) => [b.first(), b.second()]",
      );
    }
    return item.index;
  });
  if (recorded === 0) return [];
  // Spreading iterates the results, which throws the remote error of a failed call.
  const results = [...(await batch.send())];
  return Promise.all(
    indexes.map((index) => {
      const receiver = receivers.get(names[index]!);
      return receiver === undefined ? results[index] : receiver(results[index]);
    }),
  );
}

async function* iterate(name: string, start: () => Promise<unknown>): AsyncGenerator<unknown> {
  const result = await start();
  if (isAsyncIterable(result)) {
    // yield* forwards return() on `break`, which closes the remote stream.
    yield* result;
  } else if (Array.isArray(result) || result instanceof Set) {
    yield* result;
  } else {
    throw new PyroError(
      "pyro",
      `remote method '${name}' returned ${result === null ? "None" : typeof result}, not a ` +
        "generator, list or set; call it directly instead of through $iter",
    );
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === "function"
  );
}
