import { describe, expect, it } from "vitest";
import { Cancel } from "../../src/runtime/cancel.js";

describe("Cancel (the proxy's connect-attempt signal)", () => {
  it("runs each listener once, in order, with the reason readable", () => {
    const cancel = new Cancel();
    const seen: string[] = [];
    cancel.addEventListener("abort", () => seen.push(`a:${String(cancel.reason)}`));
    cancel.addEventListener("abort", () => seen.push("b"));
    expect(cancel.aborted).toBe(false);
    cancel.abort("why");
    cancel.abort("again");
    expect(cancel.aborted).toBe(true);
    expect(cancel.reason).toBe("why");
    expect(seen).toEqual(["a:why", "b"]);
  });

  it("forgets removed listeners and ignores ones added after the abort", () => {
    const cancel = new Cancel();
    let calls = 0;
    const listener = (): void => {
      calls++;
    };
    cancel.addEventListener("abort", listener);
    cancel.removeEventListener("abort", listener);
    cancel.abort(new Error("x"));
    cancel.addEventListener("abort", listener);
    expect(calls).toBe(0);
  });
});
