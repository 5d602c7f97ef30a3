/**
 * `dumpsCallLent`: the same bytes as `dumpsCall`, in the encoders' scratch memory, which is
 * reused only after `giveBack` — so a payload still being written is never overwritten,
 * and memory the caller owns never becomes scratch.
 */
import { describe, expect, it } from "vitest";
import { SERIALIZER_NAMES, createSerializer } from "../../src/runtime/serializers/index.js";
import { giveBack } from "../../src/runtime/serializers/scratch.js";
import type { InvokeCall } from "../../src/runtime/protocol/wire-protocol.js";
import { dumpsCall, dumpsCallLent, loadsCall } from "./codec-helpers.js";

const call = (arg: unknown): InvokeCall => ({
  objectId: "obj",
  method: "echo",
  vargs: [arg],
  kwargs: {},
});

/** Arguments every serializer carries: short, 100 KiB (written beside the header), 2 MiB. */
const ARGUMENTS = [
  ["a short str", "hello, pyro"],
  ["a 100 KiB str", "ä".repeat(50 * 1024)],
  ["a 2 MiB str", "z".repeat(2 << 20)],
] as const;

describe.each(SERIALIZER_NAMES)("lent call payloads from %s", (name) => {
  const serializer = createSerializer(name);

  it.each(ARGUMENTS)("%s: the same bytes as dumpsCall", (_, arg) => {
    const lent = dumpsCallLent(serializer, call(arg));
    expect(Buffer.compare(lent, dumpsCall(serializer, call(arg)))).toBe(0);
    expect(loadsCall(serializer, lent).vargs).toEqual([arg]);
    giveBack(lent);
  });

  it("reuses the memory once given back", () => {
    const first = dumpsCallLent(serializer, call("x".repeat(100_000)));
    const memory = first.buffer;
    giveBack(first);
    const second = dumpsCallLent(serializer, call("y".repeat(100_000)));
    expect(second.buffer).toBe(memory);
    expect(loadsCall(serializer, second).vargs).toEqual(["y".repeat(100_000)]);
    giveBack(second);
  });

  it("never overwrites a payload that is not given back yet", () => {
    const first = dumpsCallLent(serializer, call("a".repeat(100_000)));
    const before = Uint8Array.from(first);
    // Encodes of every kind while `first` is out, as pipelined calls do.
    const second = dumpsCallLent(serializer, call("b".repeat(100_000)));
    serializer.dumps({ c: "c".repeat(100_000) });
    dumpsCall(serializer, call("d".repeat(100_000)));
    expect(second.buffer).not.toBe(first.buffer);
    expect(Buffer.compare(first, before)).toBe(0);
    giveBack(second);
    giveBack(first);
  });

  it("takes back only what it lent, and only once", () => {
    const own = new Uint8Array(256 * 1024).fill(0x5a);
    giveBack(own);
    giveBack(serializer.dumps("not lent"));
    const lent = dumpsCallLent(serializer, call("once"));
    giveBack(lent);
    giveBack(lent);
    // Two payloads out at once get separate memory, none of it the caller's.
    const a = dumpsCallLent(serializer, call("e".repeat(100_000)));
    const b = dumpsCallLent(serializer, call("f".repeat(100_000)));
    expect(a.buffer).not.toBe(b.buffer);
    expect([a.buffer, b.buffer]).not.toContain(own.buffer);
    expect(own.every((byte) => byte === 0x5a)).toBe(true);
    giveBack(a);
    giveBack(b);
  });
});
