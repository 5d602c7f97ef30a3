/**
 * The class registry of one proxy: its own hooks for what only a proxy can do (revive a
 * received proxy, a batch's exception wrapper; send a proxy, a typed client, a URI or a
 * daemon's callback object as a proxy dict in the connection's generation), on top of the
 * user's `registry` option, the process-wide `ClassRegistry.default` and the protocols' own
 * classes, in that order. Values of every generation are revived; a received proxy or
 * `PYRO:` URI tells which generation its daemon speaks.
 */
import { SentProxy } from "../protocol/sent-proxy.js";
import type { WireProtocol } from "../protocol/wire-protocol.js";
import { ClassRegistry, type AnyClass } from "../serializers/class-registry.js";
import { URI } from "../uri.js";
import { proxyState, type ProxyStateSource } from "./auto-proxy.js";
import { PROXY_TARGET, ProxyFacade } from "./remote-object.js";

/** What the proxy's own hooks need. */
export interface ProxyHooks {
  /** The proxy class: its instances travel as proxy dicts. */
  readonly proxyClass: AnyClass;
  /** A received proxy dict of `protocol`'s generation → a live proxy. */
  readonly revive: (dict: Record<string, unknown>, protocol: WireProtocol) => unknown;
  /** A batch's failed-call wrapper dict → the wrapper. */
  readonly exceptionWrapper: (dict: Record<string, unknown>) => unknown;
  /** The protocol values are sent in: the connection's, or the likeliest before connecting. */
  readonly protocol: () => WireProtocol;
  /** A received `PYRO:` URI came in `protocol`'s class dict (its daemon likely speaks it). */
  readonly presume: (uri: URI, protocol: WireProtocol) => void;
}

/**
 * The registry of a new proxy (see the module comment). `protocols` are the generations it
 * may meet; `base` has their own classes (URIs and errors of each).
 */
export function proxyRegistry(
  protocols: readonly WireProtocol[],
  given: ClassRegistry | undefined,
  base: ClassRegistry,
  hooks: ProxyHooks,
): ClassRegistry {
  const parents = given === undefined ? [] : [given];
  const registry = new ClassRegistry(...parents, ClassRegistry.default, base);
  for (const protocol of protocols) {
    const { dialect } = protocol;
    registry.registerDictToClass(dialect.uriClass, (dict) => {
      const received = dialect.uriFromDict(dict);
      if (received.protocol === "PYRO") hooks.presume(received, protocol);
      return received;
    });
    registry.registerDictToClass(dialect.proxyClass, (dict) => hooks.revive(dict, protocol));
    registry.registerDictToClass(dialect.exceptionWrapperClass, hooks.exceptionWrapper);
  }
  const toDict = (value: object, serializerName: string) =>
    hooks.protocol().dialect.proxyToDict(proxyState(targetOf(value), serializerName));
  registry.registerClassToDict(hooks.proxyClass, toDict);
  // A typed client passed as an argument travels as its proxy.
  registry.registerClassToDict(ProxyFacade, toDict);
  registry.registerClassToDict(URI, (value) => hooks.protocol().dialect.uriToDict(value as URI));
  // Callback objects of a daemon attached to this registry or one it reads.
  registry.registerClassToDict(SentProxy, (sent) =>
    hooks.protocol().dialect.proxyToDict((sent as SentProxy).state),
  );
  return registry;
}

/** The real proxy behind `value`: itself, or the target of a client or `createProxy` wrapper. */
function targetOf(value: object): ProxyStateSource {
  return (value as { [PROXY_TARGET]: ProxyStateSource })[PROXY_TARGET];
}
