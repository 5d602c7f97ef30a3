/**
 * Registered objects travel as proxy class dicts (`Pyro4.core.Proxy`, `Pyro5.client.Proxy`:
 * the registry's generation, through `SentProxy`), so a Python server that receives one gets
 * a live proxy and can call back. The hooks live on
 * the {@link ClassRegistry} of the serializers that send them: per registry, never global.
 */
import { PyroError } from "../errors.js";
import type { SentProxy } from "../protocol/sent-proxy.js";
import type { ProxyState } from "../protocol/wire-protocol.js";
import type { SerializerName } from "../serializers/catalog.js";
import type { AnyClass, ClassRegistry } from "../serializers/class-registry.js";
import type { Exposure } from "./expose.js";

/** What goes into a Proxy dict for one registered object. */
export interface ProxyDictSource {
  /** The object's URI text, `PYRO:id@host:port`. */
  readonly uri: string;
  readonly exposure: Exposure;
  /** The daemon's HMAC key; Python then signs its calls back with it. */
  readonly hmacKey: Uint8Array | undefined;
  /** The handshake value the Python proxy sends in its CONNECT. */
  readonly handshake: unknown;
}

/**
 * The proxy state of a registered object. `serializer` is the serializer Python will use to
 * call back; it must be one the daemon accepts.
 */
export function proxyState(source: ProxyDictSource, serializer: SerializerName): ProxyState {
  const { exposure } = source;
  const key = source.hmacKey;
  return {
    uri: source.uri,
    oneway: [...exposure.oneway],
    methods: [...exposure.methods],
    attrs: [...exposure.attrs.keys()],
    timeoutSeconds: 0,
    hmacKey: key === undefined || key.length === 0 ? null : key,
    handshake: source.handshake,
    maxRetries: 0,
    serializer,
  };
}

/** Something that can turn the objects it registered into proxies to send (a daemon). */
export interface ProxySource {
  /**
   * The proxy for `value` if it is registered here, else `undefined`; the registry then
   * writes it in its generation's class dict.
   */
  sentProxyFor(value: object, serializer: string): SentProxy | undefined;
}

/** Per registry: the daemons attached to it and the classes that already have a hook. */
interface Attachment {
  readonly sources: Set<ProxySource>;
  readonly classes: Set<AnyClass>;
}

const attachments = new WeakMap<ClassRegistry, Attachment>();

function attachmentOf(registry: ClassRegistry): Attachment {
  let attachment = attachments.get(registry);
  if (attachment === undefined) {
    attachment = { sources: new Set(), classes: new Set() };
    attachments.set(registry, attachment);
  }
  return attachment;
}

/** Let `source`'s registered objects serialize as proxies through `registry`. */
export function attachSource(registry: ClassRegistry, source: ProxySource): void {
  attachmentOf(registry).sources.add(source);
}

/** Undo {@link attachSource} (the class hooks stay; they find nothing for this source any more). */
export function detachSource(registry: ClassRegistry, source: ProxySource): void {
  attachments.get(registry)?.sources.delete(source);
}

/**
 * Make instances of `cls` serialize as proxies through `registry` when one of its attached
 * sources registered them; other instances fail with the usual `serialize` error. Called
 * with `Object` when a registry is attached, so objects registered later are recognised
 * at once, also through clones of the registry (registries derived from it, as proxies'
 * are, read it live anyway); a class's own hook wins over hooks of its base classes.
 */
export function hookClass(registry: ClassRegistry, cls: AnyClass): void {
  const attachment = attachmentOf(registry);
  if (attachment.classes.has(cls)) return;
  attachment.classes.add(cls);
  registry.registerClassToDict(cls, (value, serializer) => {
    for (const source of attachment.sources) {
      const sent = source.sentProxyFor(value, serializer);
      if (sent !== undefined) return sent;
    }
    const name = (value.constructor as { name?: string } | undefined)?.name ?? "object";
    throw new PyroError(
      "serialize",
      `don't know how to serialize class ${name} using serializer ${serializer}; ` +
        "register it with registerClassToDict, pass a plain object, or register the instance " +
        "in a daemon (daemon.register) to pass it as a callback proxy",
    );
  });
}
