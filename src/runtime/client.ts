/**
 * The typed facade generated modules use: `createClient(descriptor, options)` builds, from
 * a frozen descriptor of a remote object, a client with one member per remote method and
 * attribute plus the `$`-prefixed control members. Behaviour lives here, once; a generated
 * module only adds types (client-types.ts).
 *
 * ```ts
 * const music = connectMusicServer();                 // generated factory → createClient
 * await music.play("song");                           // method → proxy.$call
 * await music.$with({ timeoutMs: 500 }).play("song"); // the same, with per-call options
 * await music.volume;                                 // attribute read → proxy.$get
 * await music.$set("volume", 7);                      // attribute write → proxy.$set
 * const [a, b] = await music.$batch((b) => [b.status(), b.current()]);  // typed tuple
 * const f = music.$async.status();                    // Future
 * for await (const song of music.$iter.songs()) {}    // remote iterator or a returned list
 * ```
 */
import { runBatch, type BatchForm, type Split } from "./client-batch.js";
import { defineControls } from "./client-controls.js";
import type {
  AttributesOf,
  Client,
  ClientCallOptions,
  ClientDescriptor,
  ClientOptions,
} from "./client-types.js";
import { PyroError } from "./errors.js";
import { Future } from "./future.js";
import { Kwargs } from "./kwargs.js";
import { isReservedMember } from "./member-names.js";
import { PyroProxy } from "./proxy.js";
import { PROXY_TARGET, ProxyFacade } from "./proxy/remote-object.js";
import type { ProxyOptions } from "./proxy/settings.js";
import { checkItems, checkValue } from "./result-checks.js";
import type { URI } from "./uri.js";

export * from "./client-types.js";
export { Kwargs, kwargs } from "./kwargs.js";

/** What a generated `connect…()` accepts as its target: a URI, or a live proxy or client. */
export type ClientTarget = string | URI | PyroProxy | { readonly $proxy: PyroProxy };

type Member = (...args: unknown[]) => unknown;
type Receiver = (value: unknown) => Promise<unknown>;

/** What every view of one client shares: the proxy and what the descriptor says. */
interface ClientCore {
  readonly descriptor: ClientDescriptor;
  readonly proxy: PyroProxy;
  readonly oneway: ReadonlySet<string>;
  readonly methods: readonly string[];
  readonly attrs: readonly string[];
  readonly receivers: ReadonlyMap<string, Receiver>;
  readonly split: Split;
}

/**
 * Build a client for the object `descriptor` describes. Members are own properties of an
 * object whose prototype has no members, so names such as `constructor` or `__proto__` are
 * ordinary members. Names that {@link isReservedMember} refuses are skipped (use
 * `$proxy.$call`). `options.uri` may also be a live proxy or another client: the new
 * client then shares its proxy.
 */
export function createClient<
  T extends object,
  W extends keyof AttributesOf<T> = keyof AttributesOf<T>,
>(
  descriptor: ClientDescriptor,
  options: Omit<ClientOptions, "uri"> & { uri?: ClientTarget | undefined } = {},
): Client<T, W> {
  const { uri, proxy: given, ...proxyOptions } = options;
  const proxy = given ?? givenProxy(uri) ?? newProxy(descriptor, uri as string | URI, proxyOptions);
  const parameters = descriptor.parameters;
  const core: ClientCore = {
    descriptor,
    proxy,
    oneway: new Set(descriptor.oneway),
    methods: descriptor.methods.filter((name) => !isReservedMember(name)),
    attrs: descriptor.attrs.filter((name) => !isReservedMember(name)),
    receivers: resultReceivers(descriptor),
    split: (name, args) => splitKwargs(args, ownEntry(parameters, name)),
  };
  return clientView(core, {}) as Client<T, W>;
}

/** One view of a client: its members make their calls with `scope`. */
function clientView(core: ClientCore, scope: ClientCallOptions): object {
  const { proxy, oneway, methods, attrs, receivers, split } = core;
  const receive = (name: string, result: Promise<unknown>): Promise<unknown> => {
    const receiver = receivers.get(name);
    return receiver === undefined ? result : result.then(receiver);
  };
  const call = (name: string, args: unknown[]): Promise<unknown> => {
    const [vargs, kw] = split(name, args);
    if (oneway.has(name)) {
      return proxy.$call(name, vargs, kw, { ...scope, oneway: true }).then(() => undefined);
    }
    return receive(name, proxy.$call(name, vargs, kw, scope));
  };
  const asyncMembers = memberTable(methods, (name) => (...args: unknown[]): Future<unknown> => {
    const [vargs, kw] = split(name, args);
    const future = proxy.$async.call(name, vargs, kw, scope);
    const receiver = oneway.has(name) ? undefined : receivers.get(name);
    return receiver === undefined ? future : future.then(receiver);
  });
  const iterMembers = memberTable(
    methods,
    (name) =>
      (...args: unknown[]) =>
        iterate(name, () => call(name, args)),
  );
  const get = (name: string): Promise<unknown> => receive(name, proxy.$get(name, scope));

  const client = Object.create(ProxyFacade.prototype) as Record<PropertyKey, unknown>;
  for (const name of methods) define(client, name, (...args: unknown[]) => call(name, args));
  for (const name of attrs) {
    Object.defineProperty(client, name, { enumerable: true, get: () => get(name) });
  }
  const batch = (form: BatchForm) => (build: (batch: object) => readonly unknown[]) => {
    try {
      return runBatch(proxy, methods, build, receivers, split, scope, form);
    } catch (error) {
      // A misused builder fails the batch as its promise (or future), never synchronously.
      const failed = Promise.reject(error as Error);
      return form === "async" ? new Future(failed) : failed;
    }
  };
  const $batch = Object.assign(batch("results"), {
    settled: batch("settled"),
    async: batch("async"),
    oneway: batch("oneway"),
  });
  const members: Record<string, unknown> = {
    $proxy: proxy,
    $descriptor: core.descriptor,
    $with: (options: ClientCallOptions) => clientView(core, mergeScopes(scope, options)),
    $get: get,
    $set: async (name: string, value: unknown) => {
      await proxy.$set(name, value, scope);
    },
    $batch: Object.freeze($batch),
    $async: asyncMembers,
    $iter: iterMembers,
  };
  for (const [name, value] of Object.entries(members)) define(client, name, value);
  defineControls(client, proxy, scope);
  define(client, PROXY_TARGET, proxy);
  return client;
}

/** `options` on top of `scope`: given fields win; annotations of both are sent. */
function mergeScopes(scope: ClientCallOptions, options: ClientCallOptions): ClientCallOptions {
  const merged: ClientCallOptions = { ...scope, ...options };
  const outer = scope.annotations;
  const inner = options.annotations;
  if (outer === undefined || inner === undefined) return merged;
  // Both computed per request when either is a function, the inner keys winning.
  const entries = (option: typeof outer) => {
    const init = typeof option === "function" ? option() : option;
    return init instanceof Map ? [...init.entries()] : Object.entries(init);
  };
  return { ...merged, annotations: () => new Map([...entries(outer), ...entries(inner)]) };
}

/** The proxy of a target that is one (or a client's); `undefined` for a URI. */
function givenProxy(target: ClientTarget | undefined): PyroProxy | undefined {
  if (target instanceof PyroProxy) return target;
  if (typeof target === "object" && "$proxy" in target && target.$proxy instanceof PyroProxy) {
    return target.$proxy;
  }
  return undefined;
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
function resultReceivers(descriptor: ClientDescriptor): Map<string, Receiver> {
  const receivers = new Map<string, Receiver>();
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
