import { describe, expect, it } from "vitest";
import { Future } from "../../src/runtime/future.js";

/** A promise with its resolve/reject exposed, to control when a future completes. */
function deferred<T>(): {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
} {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("Future", () => {
  it("is not ready until its computation completes, then holds the value", async () => {
    const d = deferred<number>();
    const f = new Future(d.promise);
    expect(f.ready).toBe(false);
    expect(await f.wait(20)).toBe(false);
    d.resolve(42);
    expect(await f.wait(5000)).toBe(true);
    expect(f.ready).toBe(true);
    expect(await f.value).toBe(42);
    expect(await f).toBe(42);
  });

  it("wait() without a timeout waits until ready and never throws on failure", async () => {
    const d = deferred<number>();
    const f = new Future(d.promise);
    setTimeout(() => d.reject(new Error("boom")), 10);
    expect(await f.wait()).toBe(true);
    expect(f.ready).toBe(true);
    await expect(f.value).rejects.toThrow("boom");
  });

  it("an unread failure is silent (no unhandled rejection)", async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on("unhandledRejection", listener);
    try {
      const f = new Future(Promise.reject(new Error("ignored")));
      f.then((v) => v);
      await f.wait();
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      process.off("unhandledRejection", listener);
    }
    expect(unhandled).toEqual([]);
  });

  it("then() chains computations and returns new futures", async () => {
    const f = Future.fromFunction((a: number, b: number) => a + b, 2, 3);
    const chained = f.then((v) => v * 10).then((v) => `${v}!`);
    expect(chained).toBeInstanceOf(Future);
    expect(await chained.value).toBe("50!");
    expect(await f.value).toBe(5);
  });

  it("then() after the value is known still applies", async () => {
    const f = new Future(Promise.resolve("x"));
    await f.wait();
    expect(await f.then((v) => v.toUpperCase()).value).toBe("X");
  });

  it("an error in the chain skips later steps and reaches iferror", async () => {
    const seen: unknown[] = [];
    const steps: string[] = [];
    const f = Future.fromFunction(() => 1)
      .then(() => {
        steps.push("first");
        throw new Error("chain broke");
      })
      .then(() => steps.push("second"))
      .iferror((e) => seen.push(e));
    await f.wait();
    await expect(f.value).rejects.toThrow("chain broke");
    expect(steps).toEqual(["first"]);
    expect(seen).toHaveLength(1);
    expect((seen[0] as Error).message).toBe("chain broke");
  });

  it("iferror returns the same future, runs once, also when set after the failure", async () => {
    const f = Future.fromFunction(() => {
      throw new TypeError("sync throw");
    });
    await f.wait();
    const calls: string[] = [];
    expect(f.iferror((e) => calls.push((e as Error).message))).toBe(f);
    f.iferror(() => {
      throw new Error("handler failure is ignored");
    });
    await f.wait();
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual(["sync throw"]);
    await expect(f.value).rejects.toBeInstanceOf(TypeError);
  });

  it("iferror is not called on success", async () => {
    const calls: unknown[] = [];
    const f = Future.fromFunction(async () => "ok").iferror((e) => calls.push(e));
    expect(await f.value).toBe("ok");
    expect(calls).toEqual([]);
  });

  it("fromFunction runs the function after the caller continues, with its arguments", async () => {
    const order: string[] = [];
    const f = Future.fromFunction((tag: string) => {
      order.push(`run ${tag}`);
      return tag.length;
    }, "abc");
    order.push("caller");
    expect(f.ready).toBe(false);
    expect(await f.value).toBe(3);
    expect(order).toEqual(["caller", "run abc"]);
  });

  it("then() with a rejection handler recovers", async () => {
    const f = Future.fromFunction(() => Promise.reject(new Error("nope")));
    const recovered = f.then(
      () => "never",
      (e: unknown) => `recovered from ${(e as Error).message}`,
    );
    expect(await recovered.value).toBe("recovered from nope");
  });

  it("many futures run concurrently", async () => {
    const delays = [30, 10, 20];
    const finished: number[] = [];
    const futures = delays.map((ms) =>
      Future.fromFunction(
        () =>
          new Promise<number>((resolve) =>
            setTimeout(() => {
              finished.push(ms);
              resolve(ms);
            }, ms),
          ),
      ),
    );
    expect(await Promise.all(futures.map((f) => f.value))).toEqual(delays);
    // Run one after another they would finish in call order (30, 10, 20).
    expect(finished).toEqual([10, 20, 30]);
  });
});

describe("Future.deferred (Pyro4's Future(callable): delay and cancel)", () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it("runs the function with the call's arguments, after the caller continues", async () => {
    const ran: number[] = [];
    const later = Future.deferred((a: number, b: number) => {
      ran.push(a + b);
      return a * b;
    });
    const f = later.call(3, 4);
    expect(ran).toEqual([]);
    expect(await f.value).toBe(12);
    expect(ran).toEqual([7]);
    expect(() => later.call(1, 1)).toThrow("the future has already been evaluated");
  });

  it("delay() postpones the start; a new delay while waiting starts the wait over", async () => {
    let startedAt = 0;
    const later = Future.deferred(() => (startedAt = performance.now()));
    expect(later.delay(150)).toBe(true);
    const calledAt = performance.now();
    const f = later.call();
    await sleep(50);
    expect(startedAt).toBe(0);
    expect(later.delay(100)).toBe(true); // from now: ~150 ms after the call in all
    await f.value;
    expect(startedAt - calledAt).toBeGreaterThanOrEqual(140);
    expect(later.delay(10)).toBe(false); // it has started: too late, as in Pyro4
    expect(() => later.delay(-1)).not.toThrow(); // ignored once started
    expect(() => Future.deferred(() => 1).delay(-1)).toThrow(RangeError);
  });

  it("cancel() before the start: the function never runs and the future fails", async () => {
    let ran = false;
    const later = Future.deferred(() => (ran = true));
    later.delay(100);
    const f = later.call();
    expect(later.cancel()).toBe(true);
    await expect(f.value).rejects.toThrow("the future has been cancelled");
    await sleep(150);
    expect(ran).toBe(false);
    expect(f.ready).toBe(true);
  });

  it("cancel() before call(): call() refuses; after the start, cancel() is too late", async () => {
    const cancelled = Future.deferred(() => 1);
    expect(cancelled.cancel()).toBe(true);
    expect(() => cancelled.call()).toThrow("the future has been cancelled");
    const started = Future.deferred(async () => {
      await sleep(30);
      return "done";
    });
    const f = started.call();
    await sleep(10);
    expect(started.cancel()).toBe(false);
    expect(await f.value).toBe("done");
  });

  it("an error in the function fails the future, and then/iferror chain on it", async () => {
    const seen: unknown[] = [];
    const f = Future.deferred((): number => {
      throw new Error("boom");
    })
      .call()
      .iferror((e) => seen.push((e as Error).message));
    await expect(f.value).rejects.toThrow("boom");
    expect(seen).toEqual(["boom"]);
    expect(
      await Future.deferred((x: number) => x)
        .call(2)
        .then((x) => x + 1).value,
    ).toBe(3);
  });
});
