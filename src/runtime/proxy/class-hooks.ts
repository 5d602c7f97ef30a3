/**
 * The class registry of one proxy: its own hooks for what only a proxy can do (revive a
 * received proxy, a batch's exception wrapper; send a proxy, or a typed client, as a proxy
 * dict), on top of the user's `registry` option, the process-wide
 * `ClassRegistry.default` and the protocol's own classes, in that order.
 */
import type { ClassDialect } from "../protocol/wire-protocol.js";
import { ClassRegistry, type AnyClass } from "../serializers/class-registry.js";
import { proxyState, type ProxyStateSource } from "./auto-proxy.js";
import { PROXY_TARGET, ProxyFacade } from "./remote-object.js";

/** What the proxy's own hooks need. */
export interface ProxyHooks {
  /** The proxy class: its instances travel as proxy dicts. */
  readonly proxyClass: AnyClass;
  /** A received proxy dict → a live proxy. */
  readonly revive: (dict: Record<string, unknown>) => unknown;
  /** A batch's failed-call wrapper dict → the wrapper. */
  readonly exceptionWrapper: (dict: Record<string, unknown>) => unknown;
}

/** The registry of a new proxy (see the module comment). */
export function proxyRegistry(
  dialect: ClassDialect,
  given: ClassRegistry | undefined,
  hooks: ProxyHooks,
): ClassRegistry {
  const parents = given === undefined ? [] : [given];
  const registry = new ClassRegistry(...parents, ClassRegistry.default, dialect.createRegistry());
  registry.registerDictToClass(dialect.proxyClass, hooks.revive);
  registry.registerDictToClass(dialect.exceptionWrapperClass, hooks.exceptionWrapper);
  const toDict = (value: object, serializerName: string) =>
    dialect.proxyToDict(proxyState(targetOf(value), serializerName));
  registry.registerClassToDict(hooks.proxyClass, toDict);
  // A typed client passed as an argument travels as its proxy.
  registry.registerClassToDict(ProxyFacade, toDict);
  return registry;
}

/** The real proxy behind `value`: itself, or the target of a client or `createProxy` wrapper. */
function targetOf(value: object): ProxyStateSource {
  return (value as { [PROXY_TARGET]: ProxyStateSource })[PROXY_TARGET];
}
