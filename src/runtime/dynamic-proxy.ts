/**
 * `createProxy(uri)`: a {@link PyroProxy} whose remote methods are plain members,
 * `await p.echo("hi")`, through a JavaScript Proxy. Control members (`$…`) and symbols
 * go to the proxy itself; `then` is never remote, so the object is not a thenable.
 */
import { PyroError } from "./errors.js";
import { PyroProxy } from "./proxy.js";
import type { ProxyOptions } from "./proxy/settings.js";
import { PROXY_TARGET } from "./proxy/remote-object.js";
import type { URI } from "./uri.js";

/** A remote method as a dynamic member: positional arguments (use `$call` for kwargs). */
export type RemoteMethod = (...args: unknown[]) => Promise<unknown>;

/**
 * A proxy with remote methods as members: the names `M` (e.g. `"echo" | "add"`) when given,
 * else any string (then, under `noUncheckedIndexedAccess`, a member may be `undefined`).
 */
export type DynamicProxy<M extends string = string> = PyroProxy & {
  readonly [K in M]: RemoteMethod;
};

/**
 * A proxy with dynamic member access: `p.name(...args)` is `p.$call("name", args)`. When
 * the metadata is known (after a call or `$bind()`) and `name` is an attribute rather than
 * a method, `p.name` is the promise of `p.$get("name")`. Writing `p.name = v` is refused:
 * use `await p.$set("name", v)` so the result can be awaited.
 */
export function createProxy<M extends string = string>(
  uri: string | URI,
  options: ProxyOptions = {},
): DynamicProxy<M> {
  return wrapProxy<M>(new PyroProxy(uri, options));
}

/** Give an existing proxy dynamic member access (see {@link createProxy}). */
export function wrapProxy<M extends string = string>(proxy: PyroProxy): DynamicProxy<M> {
  const methods = new Map<string, RemoteMethod>();
  return new Proxy(proxy, {
    get(target, property) {
      if (typeof property === "symbol" || property.startsWith("$") || property === "toString") {
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === "function" ? (value as () => unknown).bind(target) : value;
      }
      if (property === "then") return undefined;
      const metadata = target.$metadata;
      if (metadata !== null && metadata.attrs.has(property) && !metadata.methods.has(property)) {
        return target.$get(property);
      }
      let method = methods.get(property);
      if (method === undefined) {
        method = (...args: unknown[]) => target.$call(property, args);
        methods.set(property, method);
      }
      return method;
    },
    set(_target, property) {
      throw new PyroError(
        "attribute",
        `cannot assign ${String(property)} on a proxy; use await proxy.$set(${JSON.stringify(String(property))}, value)`,
      );
    },
    has(target, property) {
      return property === PROXY_TARGET || Reflect.has(target, property);
    },
  }) as DynamicProxy<M>;
}
