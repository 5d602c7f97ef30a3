/**
 * Pyro's class dicts: how objects that no serializer can carry travel as
 * `{"__class__": "module.Class", ...}` dicts, and how such dicts come back to life.
 *
 * A registry is held per serializer instance (never global), so two proxies can use
 * different custom classes without seeing each other's hooks. The hooks for Pyro's own
 * classes (URIs, proxies, errors sent as values) are a protocol generation's: its
 * dialect's `createRegistry()` starts with them.
 */
import { PyroError, remoteError } from "../errors.js";
import { setDictEntry } from "../values.js";

/**
 * Turns an instance of a registered class into what is sent instead (usually a dict);
 * `serializerName` is the serializer that is encoding it.
 */
export type ClassToDict = (value: object, serializerName: string) => unknown;

/** Turns a received class dict into an application value. */
export type DictToClass = (dict: Record<string, unknown>, className: string) => unknown;

/** A constructor, abstract or not, used as the key for class-to-dict hooks. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any constructor signature must match
export type AnyClass = abstract new (...args: any[]) => object;

/**
 * Hooks from classes to dicts (sending) and from `__class__` names to values (receiving).
 * A registry made with {@link ClassRegistry.derive} also reads its parent's hooks, live.
 */
export class ClassRegistry {
  readonly #toDict = new Map<AnyClass, ClassToDict>();
  readonly #fromDict = new Map<string, DictToClass>();
  readonly #parent: ClassRegistry | undefined;

  /** An empty registry (no hooks at all; a dialect's `createRegistry()` has Pyro's own). */
  constructor(parent?: ClassRegistry) {
    this.#parent = parent;
  }

  /** Send instances of `cls` (and its subclasses) as what `toDict` returns. */
  registerClassToDict(cls: AnyClass, toDict: ClassToDict): this {
    this.#toDict.set(cls, toDict);
    return this;
  }

  /** Turn received dicts whose `__class__` is `className` into what `fromDict` returns. */
  registerDictToClass(className: string, fromDict: DictToClass): this {
    this.#fromDict.set(className, fromDict);
    return this;
  }

  /** Forget the class-to-dict hook of `cls`. */
  unregisterClassToDict(cls: AnyClass): this {
    this.#toDict.delete(cls);
    return this;
  }

  /** Forget the dict-to-class hook of `className`. */
  unregisterDictToClass(className: string): this {
    this.#fromDict.delete(className);
    return this;
  }

  /** A new registry with the same hooks, to be changed independently. */
  clone(): ClassRegistry {
    const copy = new ClassRegistry(this.#parent);
    for (const [cls, fn] of this.#toDict) copy.#toDict.set(cls, fn);
    for (const [name, fn] of this.#fromDict) copy.#fromDict.set(name, fn);
    return copy;
  }

  /**
   * A registry on top of this one: its own hooks win, and every hook of this registry
   * applies through it, including hooks registered here later. Its own hooks never reach
   * this registry. A proxy keeps its hooks for received proxies this way.
   */
  derive(): ClassRegistry {
    return new ClassRegistry(this);
  }

  #classHook(cls: AnyClass): ClassToDict | undefined {
    const own = this.#toDict.get(cls);
    if (own !== undefined || this.#parent === undefined) return own;
    return this.#parent.#classHook(cls);
  }

  #dictHook(className: string): DictToClass | undefined {
    const own = this.#fromDict.get(className);
    if (own !== undefined || this.#parent === undefined) return own;
    return this.#parent.#dictHook(className);
  }

  /**
   * The value to serialize in place of a class instance that no serializer knows natively.
   * Looks up the prototype chain, so a hook for a base class covers its subclasses.
   * Throws a `serialize` error naming the class when nothing is registered.
   */
  toSerializable(value: object, serializerName: string): unknown {
    for (let proto: unknown = Object.getPrototypeOf(value); proto !== null;) {
      const ctor = (proto as { constructor?: unknown }).constructor;
      const hook = typeof ctor === "function" ? this.#classHook(ctor as AnyClass) : undefined;
      if (hook !== undefined) return hook(value, serializerName);
      proto = Object.getPrototypeOf(proto);
    }
    const name = (value as { constructor?: { name?: string } }).constructor?.name ?? "object";
    throw new PyroError(
      "serialize",
      `don't know how to serialize class ${name} using serializer ${serializerName}; ` +
        "register it with registerClassToDict, or pass a plain object (to pass it as a callback " +
        "object, register it in a Daemon and give the proxy `registry: daemon.registry`)",
    );
  }

  /**
   * Revive a received dict that has a string `__class__`: a registered hook wins; then
   * exceptions (`__exception__: true`) and serpent's NaN float; any other class dict stays a
   * plain object, `__class__` included.
   */
  revive(dict: Record<string, unknown>): unknown {
    const className = dict["__class__"] as string;
    const hook = this.#dictHook(className);
    if (hook !== undefined) return hook(dict, className);
    if (dict["__exception__"] === true) return exceptionFromDict(dict, className);
    if (className === "float" && dict["value"] === "nan") return NaN;
    return dict;
  }
}

function exceptionFromDict(dict: Record<string, unknown>, className: string): PyroError {
  const args = Array.isArray(dict["args"]) ? (dict["args"] as unknown[]) : [];
  const rawAttributes = dict["attributes"];
  const attributes: Record<string, unknown> = {};
  let traceback: string[] | null = null;
  if (typeof rawAttributes === "object" && rawAttributes !== null) {
    for (const [key, value] of Object.entries(rawAttributes)) {
      if (key === "_pyroTraceback") {
        if (Array.isArray(value)) traceback = value.map(String);
      } else {
        // An own data property even for `__proto__`, which must never become the prototype.
        setDictEntry(attributes, key, value);
      }
    }
  }
  return remoteError({ type: className, args, attributes, traceback });
}
