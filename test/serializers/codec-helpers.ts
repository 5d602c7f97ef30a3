/**
 * Small helpers the serializer tests share: hex dumps of captured bytes, the check that a
 * call fails with a `serialize` PyroError, and call payloads in Pyro4's layout.
 */
import { expect } from "vitest";
import { PyroError } from "../../src/runtime/errors.js";
import { pyro4Calls } from "../../src/runtime/protocol-pyro4/calls.js";
import type { InvokeCall } from "../../src/runtime/protocol/wire-protocol.js";
import type { Serializer } from "../../src/runtime/serializers/serializer.js";

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

/** A call payload as pyrogen's Pyro4 protocol lays it out in `serializer`. */
export function dumpsCall(serializer: Serializer, call: InvokeCall): Uint8Array {
  return pyro4Calls.encode(serializer, call.objectId, call.method, call.vargs, call.kwargs, false);
}

/** {@link dumpsCall} into the encoder's scratch memory, lent until `giveBack`, as proxies send. */
export function dumpsCallLent(serializer: Serializer, call: InvokeCall): Uint8Array {
  return pyro4Calls.encode(serializer, call.objectId, call.method, call.vargs, call.kwargs, true);
}

/** A call payload read as a Pyro4 daemon reads it. */
export function loadsCall(serializer: Serializer, data: Uint8Array): InvokeCall {
  return pyro4Calls.decode(serializer, data);
}
