/**
 * Awaiting an operation that must fail: the tests then assert on the `PyroError`'s code and
 * message.
 */
import { expect } from "vitest";
import { PyroError } from "../../src/runtime/errors.js";

/** Awaits `promise`, which must reject with a `PyroError`, and returns that error. */
export async function failure(promise: Promise<unknown>): Promise<PyroError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PyroError);
  return error as PyroError;
}
