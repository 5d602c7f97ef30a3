// pyrogen:banner (the generator replaces the comments above the first statement with its banner)
import * as pyrogen from "../src/runtime/index.js";

/** The remote object as its daemon reported it: where it lives and the names it exposes. */
export const TemplateDescriptor = Object.freeze({
  pyrogenVersion: "0.0.0",
  uri: "PYRO:template@127.0.0.1:9999",
  methods: Object.freeze([]),
  oneway: Object.freeze([]),
  attrs: Object.freeze([]),
}) satisfies pyrogen.ClientDescriptor;

/**
 * The remote object: one member per remote method (calling it resolves to the result) and
 * one per remote attribute (reading it fetches the value; write it with `$set`).
 * Control members (`$batch`, `$async`, `$iter`, `$set`, `$proxy`, …) come from the runtime.
 */
export interface Template {
  /** Placeholder, removed by the generator. */
  readonly placeholder: Promise<unknown>;
}

/** The value types of the remote attributes, for `$get` and `$set`. */
export type TemplateAttributes = pyrogen.AttributesOf<Template>;

/**
 * The batch variant (`$batch(b => [...])`): each method records a call and returns a
 * `BatchCall`; the batch resolves to the results as a typed tuple.
 */
export type TemplateBatch = pyrogen.BatchVariant<Template>;

/** The async variant (`$async`): each call runs on its own connection and returns a `Future`. */
export type TemplateAsync = pyrogen.AsyncVariant<Template>;

/**
 * The iterator variant (`$iter`): each call yields the items of a remote generator (or of a
 * returned list); `break` closes the remote stream.
 */
export type TemplateIter = pyrogen.IterVariant<Template>;

/** A typed client of the remote object (it connects on the first call). */
export type TemplateClient = pyrogen.Client<Template>;

/**
 * A typed client for the remote object at `uri` (default: the URI it was generated from): a
 * URI string or `URI`, or a live proxy or client of the object (the client then shares it).
 * `options` are the runtime's proxy options (serializer, timeoutMs, hmacKey, tls, …).
 */
export function connectTemplate(
  uri: pyrogen.ClientTarget = TemplateDescriptor.uri,
  options: pyrogen.ClientOptions = {},
): TemplateClient {
  return pyrogen.createClient<Template>(TemplateDescriptor, { ...options, uri });
}
