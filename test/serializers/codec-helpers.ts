/**
 * Small helpers the serializer tests share: hex dumps of captured bytes, and the check that
 * a call fails with a `serialize` PyroError.
 */
import { expect } from "vitest";
import { PyroError } from "../../src/runtime/errors.js";

/** Bytes from space-separated hex (`"a9 03 e9"`), as captures are written. */
export const hex = (text: string): Uint8Array =>
  Uint8Array.from(text.trim().split(/\s+/), (byte) => parseInt(byte, 16));

/** The space-separated hex of an ASCII string's characters. */
export const ascii = (text: string): string =>
  [...text].map((c) => c.charCodeAt(0).toString(16)).join(" ");

/** Space-separated two-digit hex of bytes. */
export const toHex = (bytes: Uint8Array): string =>
  [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" ");

/** Runs `fn`, which must throw a `serialize` PyroError, and returns that error. */
export function serializeError(fn: () => unknown): PyroError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PyroError);
    expect((error as PyroError).code).toBe("serialize");
    return error as PyroError;
  }
  throw new Error("expected a serialize error");
}
