/**
 * The context of the remote call being served (Pyro4's `current_context` on the daemon
 * side): who called, with which annotations and correlation id, and the reply annotations
 * to add.
 *
 * It is set while the method runs synchronously (up to its first `await`), so capture it at
 * the start: `const call = currentCall()`. Carrying it across `await`s needs
 * `AsyncLocalStorage`, whose promise hooks slow every promise of the process (about a
 * quarter of a call's CPU was measured), so that is opt-in per daemon
 * (`asyncCallContext: true`).
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** Where a call came from. */
export interface ClientAddress {
  /** IP address of a TCP client, or `null` for a Unix socket. */
  readonly address: string | null;
  /** Its TCP port, or `null` for a Unix socket. */
  readonly port: number | null;
}

/** What an exposed method can learn about the call it is serving. */
export interface CallContext {
  /** The object id the call was addressed to. */
  readonly objectId: string;
  /** The method name (`__getattr__`/`__setattr__`/`<batch>` for Pyro's internal ones). */
  readonly method: string;
  /** The request's sequence number. */
  readonly seq: number;
  /** The request's annotations, by 4-letter key (`CORR`, custom ones). */
  readonly annotations: ReadonlyMap<string, Uint8Array>;
  /** The correlation id (16 UUID bytes): the caller's `CORR`, or a fresh random one. */
  readonly correlationId: Uint8Array;
  /** The calling client. */
  readonly client: ClientAddress;
  /** Annotations to add to the reply (4-letter keys, values up to 65535 bytes). */
  readonly responseAnnotations: Map<string, Uint8Array>;
  /** The connection the call came on (internal: streams are owned by it). */
  readonly connection: object;
}

let storage: AsyncLocalStorage<CallContext> | undefined;
let active: CallContext | undefined;

/**
 * The call being served: inside an exposed method before its first `await` (after it too
 * when the daemon has `asyncCallContext`); otherwise `undefined`.
 */
export function currentCall(): CallContext | undefined {
  return active ?? storage?.getStore();
}

/** Run `fn` with `context` as the current call; `acrossAwait` also keeps it after `await`s. */
export function runInCall<T>(context: CallContext, fn: () => T, acrossAwait = false): T {
  if (acrossAwait) storage ??= new AsyncLocalStorage<CallContext>();
  const outer = active;
  active = context;
  try {
    return acrossAwait ? storage!.run(context, fn) : fn();
  } finally {
    active = outer;
  }
}
