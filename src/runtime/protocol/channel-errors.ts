/**
 * The errors a `MessageChannel` (`channel.ts`) closes with and fails its requests with: a
 * close by either side, an abort, a lost connection. Orderly closes nobody is told of skip
 * their stack trace, which would cost more than the close itself.
 */
import type { CancelSignal } from "../cancel.js";
import { PyroError } from "../errors.js";

/** A close by the client while requests waited (they are thrown it, so it has a stack). */
export function clientClosed(): PyroError {
  return new PyroError("connection-closed", "connection closed by the client");
}

/**
 * The reason of an orderly close. With no request waiting nobody sees its stack, and
 * capturing one costs ~5-15 us per connection, so it is skipped then.
 */
export function closedError(message: string, withStack: boolean): PyroError {
  if (withStack) return new PyroError("connection-closed", message);
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new PyroError("connection-closed", message);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * The reason of every close by the client with no request waiting: nobody is thrown it, so
 * one shared, stack-free instance saves building an error per `$release()` (~1-6 us).
 */
export const CLIENT_CLOSED = closedError("connection closed by the client", false);

/** A request aborted through its signal; `closing` when it was sent (the channel then closes). */
export function abortError(signal: CancelSignal, closing: boolean): PyroError {
  const reason: unknown = signal.reason;
  const text = reason instanceof Error ? reason.message : String(reason);
  const effect = closing
    ? "the connection was closed so later replies cannot get out of step"
    : "nothing was sent";
  return new PyroError("aborted", `call aborted: ${text} (${effect})`, { cause: reason });
}

/** The stream failed while `direction`. */
export function lostError(direction: "receiving" | "sending", error: Error): PyroError {
  return new PyroError("connection-closed", `${direction}: connection lost: ${error.message}`, {
    cause: error,
  });
}
