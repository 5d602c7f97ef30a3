/**
 * Turning one decoded INVOKE into an outcome: find the object, check the
 * name is exposed, call it (or read/write an attribute, or run a batch), and say what the
 * reply must be. Knows nothing about sockets or serializers.
 */
import { PyroError } from "../errors.js";
import type { ClassDialect, InvokeCall } from "../protocol/wire-protocol.js";
import { callExposedMethod, readExposedAttribute, writeExposedAttribute } from "./call-sites.js";
import type { Exposure } from "./expose.js";
import { exceptionDict } from "./remote-exception.js";
import { isItemIterator, type ItemIterator } from "./streams.js";

/** A registered object: the target and what it exposes. */
export interface Registered {
  readonly target: object;
  readonly exposure: Exposure;
}

/** What the reply to an INVOKE must be. */
export type Outcome =
  /** A RESULT with this value (flag BATCH for a batch's result list). */
  | { readonly kind: "value"; readonly value: unknown; readonly batch: boolean }
  /** The call returned an iterator: start an item stream. */
  | { readonly kind: "stream"; readonly iterator: ItemIterator }
  /** An exception reply; `callback`: the method was a `@callback` (log it, close the connection). */
  | { readonly kind: "error"; readonly error: unknown; readonly callback: boolean };

/** Pyro's wire names for attribute access. */
const GETATTR = "__getattr__";
const SETATTR = "__setattr__";

/**
 * An error of the dispatcher itself (no such member, bad arguments). It carries no stack:
 * the daemon's own frames say nothing to the caller, who gets the message alone.
 */
function daemonError(code: "attribute" | "serialize" | "daemon", message: string): PyroError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new PyroError(code, message);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

function attributeError(message: string): PyroError {
  return daemonError("attribute", message);
}

/** The exposed method `name` of `entry`, or the AttributeError Pyro4 raises. */
function resolveMethod(entry: Registered, name: string): (...args: unknown[]) => unknown {
  if (name.startsWith("_")) throw attributeError(`attempt to access private attribute '${name}'`);
  const member: unknown = (entry.target as Record<string, unknown>)[name];
  if (entry.exposure.methods.has(name) && typeof member === "function") {
    return member as (...args: unknown[]) => unknown;
  }
  if (name in entry.target) throw attributeError(`attempt to access unexposed attribute '${name}'`);
  const className = (entry.target.constructor as { name?: string } | undefined)?.name ?? "object";
  throw attributeError(`'${className}' object has no attribute '${name}'`);
}

/**
 * The argument list for a TypeScript method: the positional args, then — only when the
 * caller passed keyword arguments — one plain object holding them.
 */
function argumentList(vargs: unknown, kwargs: unknown): unknown[] {
  if (!Array.isArray(vargs)) {
    throw daemonError("serialize", "invalid call: the positional arguments are not a sequence");
  }
  if (kwargs === null || kwargs === undefined) return vargs;
  if (typeof kwargs !== "object") {
    throw daemonError("serialize", "invalid call: the keyword arguments are not a dict");
  }
  const entries = kwargs instanceof Map ? kwargs.size : Object.keys(kwargs).length;
  return entries === 0
    ? vargs
    : [...vargs, kwargs instanceof Map ? Object.fromEntries(kwargs) : kwargs];
}

function attributeName(vargs: unknown): string {
  const name: unknown = Array.isArray(vargs) ? vargs[0] : undefined;
  if (typeof name !== "string") {
    throw daemonError("serialize", "invalid attribute access: the attribute name is not a string");
  }
  return name;
}

function getAttribute(entry: Registered, vargs: unknown): unknown {
  const name = attributeName(vargs);
  if (!entry.exposure.attrs.has(name)) {
    throw attributeError(`attempt to access unexposed or unknown remote attribute '${name}'`);
  }
  return readExposedAttribute(entry.target, name);
}

function setAttribute(entry: Registered, vargs: unknown): null {
  const name = attributeName(vargs);
  if (entry.exposure.attrs.get(name) !== true) {
    throw attributeError(`attempt to access unexposed or unknown remote attribute '${name}'`);
  }
  writeExposedAttribute(entry.target, name, (vargs as unknown[])[1]);
  return null;
}

/**
 * A batch: the calls in order; the first failure is wrapped as
 * `Pyro4.futures._ExceptionWrapper` and ends the batch. A name that cannot be resolved
 * fails the whole request, as in Pyro4.
 */
async function runBatch(
  entry: Registered,
  calls: unknown,
  dialect: ClassDialect,
): Promise<unknown[]> {
  if (!Array.isArray(calls))
    throw daemonError("serialize", "invalid batch: the calls are not a sequence");
  const results: unknown[] = [];
  for (const call of calls) {
    if (!Array.isArray(call) || call.length !== 3 || typeof call[0] !== "string") {
      throw daemonError("serialize", "invalid batch: each call must be (method, vargs, kwargs)");
    }
    const method = resolveMethod(entry, call[0]);
    const args = argumentList(call[1], call[2]);
    let result: unknown;
    try {
      result = await callExposedMethod(entry.target, method, args);
    } catch (error) {
      results.push({
        __class__: dialect.exceptionWrapperClass,
        exception: exceptionDict(error, dialect.errorsModule),
      });
      break;
    }
    if (isItemIterator(result)) {
      throw daemonError(
        "serialize",
        `batch call '${call[0]}' returned an iterator; streaming is not supported in batches`,
      );
    }
    results.push(result);
  }
  return results;
}

/**
 * Serve one call on a registered object (`undefined`: unknown object id); a batch's failed
 * call is wrapped in `dialect`'s class.
 */
export async function dispatch(
  entry: Registered | undefined,
  call: InvokeCall,
  batch: boolean,
  dialect: ClassDialect,
): Promise<Outcome> {
  let callback = false;
  try {
    if (entry === undefined) throw daemonError("daemon", "unknown object");
    if (batch) {
      return { kind: "value", value: await runBatch(entry, call.vargs, dialect), batch: true };
    }
    if (call.method === GETATTR)
      return { kind: "value", value: getAttribute(entry, call.vargs), batch: false };
    if (call.method === SETATTR)
      return { kind: "value", value: setAttribute(entry, call.vargs), batch: false };
    callback = entry.exposure.callbacks.has(call.method);
    const method = resolveMethod(entry, call.method);
    const value = await callExposedMethod(
      entry.target,
      method,
      argumentList(call.vargs, call.kwargs),
    );
    if (isItemIterator(value)) return { kind: "stream", iterator: value };
    return { kind: "value", value, batch: false };
  } catch (error) {
    return { kind: "error", error, callback };
  }
}
