/**
 * pyrogen's own client against pyrogen's daemon in one event loop: concurrent connections
 * are served concurrently, streams, batches, oneway, the call context, lingering streams,
 * and a clean `close()` — with the client speaking Pyro4 and Pyro5 to the same daemon.
 */
import { describe, expect, test } from "vitest";
import { currentCall } from "../../src/runtime/daemon/context.js";
import { Daemon } from "../../src/runtime/daemon/daemon.js";
import { PyroProxy } from "../../src/runtime/proxy.js";
import type { ProxyOptions } from "../../src/runtime/proxy/settings.js";
import type { URI } from "../../src/runtime/uri.js";
import { GENERATIONS } from "../harness/generations.js";
import { CALCULATOR_EXPOSE, Calculator } from "./objects.js";

/** Two methods that only finish together: proves two connections are served at once. */
class Rendezvous {
  #arrived: (() => void) | undefined;
  #other: Promise<void> = new Promise((resolve) => (this.#arrived = resolve));

  async meet(name: string): Promise<string> {
    const other = this.#other;
    const arrived = this.#arrived;
    this.#other = new Promise((resolve) => (this.#arrived = resolve));
    if (arrived !== undefined) arrived();
    await other;
    return `${name} met`;
  }

  async later(): Promise<string | undefined> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    return currentCall()?.method;
  }

  whoami(): unknown {
    const call = currentCall();
    return {
      method: call?.method,
      corr: Buffer.from(call?.correlationId ?? []).toString("hex"),
      address: call?.client.address,
    };
  }
}

describe.each(GENERATIONS)("TypeScript client and daemon, $name", (generation) => {
  /** A proxy that speaks this generation to pyrogen's daemon (which answers both). */
  const proxy = (uri: string | URI, options: ProxyOptions): PyroProxy =>
    new PyroProxy(uri, { protocol: generation.protocol, ...options });

  test("calls on separate connections run concurrently", async () => {
    await using daemon = await Daemon.start({ host: "127.0.0.1" });
    const uri = daemon.register(new Rendezvous(), {
      expose: { methods: ["meet", "whoami", "later"] },
    });
    await using a = proxy(uri, { serializer: "json" });
    await using b = proxy(uri, { serializer: "msgpack" });
    expect(await Promise.all([a.$call("meet", ["a"]), b.$call("meet", ["b"])])).toEqual([
      "a met",
      "b met",
    ]);
    expect([a.$protocol, b.$protocol]).toEqual([generation.protocol, generation.protocol]);
  });

  test("interleaved replies of every size and serializer each carry their own value", async () => {
    // The daemon encodes a reply into scratch memory it reuses for the next one: a reply
    // framed after that memory was reused would carry another call's value.
    await using daemon = await Daemon.start({ host: "127.0.0.1" });
    const uri = daemon.register(new Calculator(), { expose: CALCULATOR_EXPOSE });
    const serializers = ["serpent", "json", "marshal", "msgpack"] as const;
    const proxies = serializers.map((serializer) => proxy(uri, { serializer }));
    try {
      const sizes = [5, 300, 10_240, 100_000];
      const values = Array.from({ length: 48 }, (_, i) =>
        `${i}:`.padEnd(sizes[i % sizes.length]!, String.fromCharCode(97 + (i % 26))),
      );
      const replies = values.map((value, i) => proxies[i % proxies.length]!.$call("echo", [value]));
      expect(await Promise.all(replies)).toEqual(values);
    } finally {
      for (const p of proxies) p.$release();
    }
  });

  test("the call context carries the caller's correlation id", async () => {
    await using daemon = await Daemon.start({ host: "127.0.0.1" });
    const uri = daemon.register(new Rendezvous(), {
      expose: { methods: ["meet", "whoami", "later"] },
    });
    const corr = "11111111-2222-3333-4444-555555555555";
    await using p = proxy(uri, { serializer: "serpent", correlationId: corr });
    expect(await p.$call("whoami", [])).toEqual({
      method: "whoami",
      corr: corr.replaceAll("-", ""),
      address: "127.0.0.1",
    });
  });

  test("after an await the call context needs asyncCallContext", async () => {
    await using plain = await Daemon.start({ host: "127.0.0.1" });
    await using carried = await Daemon.start({ host: "127.0.0.1", asyncCallContext: true });
    const expose = { methods: ["later"] };
    await using p = proxy(plain.register(new Rendezvous(), { expose }), {
      serializer: "json",
    });
    await using q = proxy(carried.register(new Rendezvous(), { expose }), {
      serializer: "json",
    });
    expect(await p.$call("later", [])).toBeNull();
    expect(await q.$call("later", [])).toBe("later");
  });

  test("streams, batches, attributes and oneway calls from the TypeScript client", async () => {
    await using daemon = await Daemon.start({ host: "127.0.0.1" });
    const calculator = new Calculator();
    const uri = daemon.register(calculator, { expose: CALCULATOR_EXPOSE });
    for (const serializer of ["serpent", "json", "marshal", "msgpack"] as const) {
      await using p = proxy(uri, { serializer });
      const items: unknown[] = [];
      for await (const item of (await p.$call("acount", [3])) as AsyncIterable<unknown>)
        items.push(item);
      expect(items).toEqual(["item 0", "item 1", "item 2"]);
      const batch = p.$batch();
      batch.call("add", [1, 2]);
      batch.call("echo", ["x"]);
      expect([...(await batch.send())]).toEqual([3, "x"]);
      await p.$set("counter", 3);
      expect(await p.$get("counter")).toBe(3);
      await p.$call("notify", [serializer]);
      expect(await p.$call("notified", [])).toContain(serializer);
    }
  });

  test("breaking out of a stream closes the generator on the daemon", async () => {
    await using daemon = await Daemon.start({ host: "127.0.0.1" });
    let finished = false;
    const source = {
      *numbers(): Generator<number> {
        try {
          for (let i = 0; ; i++) yield i;
        } finally {
          finished = true;
        }
      },
    };
    const uri = daemon.register(source, { expose: { methods: ["numbers"] } });
    await using p = proxy(uri, { serializer: "json" });
    for await (const n of (await p.$call("numbers", [])) as AsyncIterable<number>) {
      if (n === 2) break;
    }
    for (let i = 0; i < 200 && !finished; i++) await new Promise((r) => setTimeout(r, 5));
    expect(finished).toBe(true);
  });

  test("a stream outlives its connection for the linger time, then is closed", async () => {
    await using daemon = await Daemon.start({ host: "127.0.0.1", streamLingerMs: 50 });
    let closed = false;
    const source = {
      *numbers(): Generator<number> {
        try {
          for (let i = 0; ; i++) yield i;
        } finally {
          closed = true;
        }
      },
    };
    const uri = daemon.register(source, { expose: { methods: ["numbers"] } });
    const p = proxy(uri, { serializer: "json" });
    const stream = (await p.$call("numbers", [])) as AsyncIterable<number>;
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toBe(0);
    p.$release();
    for (let i = 0; i < 400 && !closed; i++) await new Promise((r) => setTimeout(r, 5));
    expect(closed).toBe(true);
  });

  test("close() ends open connections and refuses new registrations", async () => {
    const daemon = await Daemon.start({ host: "127.0.0.1" });
    const uri = daemon.register(new Calculator(), { expose: CALCULATOR_EXPOSE });
    const p = proxy(uri, { serializer: "json", timeoutMs: 5000 });
    expect(await p.$call("add", [1, 1])).toBe(2);
    await daemon.close();
    await expect(p.$call("add", [1, 1])).rejects.toMatchObject({ isCommunicationError: true });
    expect(() => daemon.register(new Calculator(), { expose: CALCULATOR_EXPOSE })).toThrow(
      /closed/,
    );
    p.$release();
  });

  test("a failing oneway call sends nothing back and is logged", async () => {
    const logged: string[] = [];
    await using daemon = await Daemon.start({
      host: "127.0.0.1",
      logger: (message) => logged.push(message),
    });
    const target = {
      boom(): never {
        throw new Error("oneway failure");
      },
      ok: () => "still fine",
    };
    const uri = daemon.register(target, { id: "t", expose: { oneway: ["boom"], methods: ["ok"] } });
    await using p = proxy(uri, { serializer: "json" });
    expect(await p.$call("boom", [])).toBeUndefined();
    expect(await p.$call("ok", [])).toBe("still fine");
    expect(logged).toEqual(["daemon: oneway call 'boom' on 't' failed"]);
  });
});

// No wire involved: registration is the same whatever generation the clients speak.
describe("TypeScript daemon registration", () => {
  test("registration errors name the fix", async () => {
    await using daemon = await Daemon.start({ host: "127.0.0.1" });
    expect(() => daemon.register(new Calculator(), { expose: { methods: ["_secret"] } })).toThrow(
      /names starting with '_'/,
    );
    expect(() => daemon.register(new Calculator(), { expose: { methods: ["missing"] } })).toThrow(
      /no method of that name/,
    );
    const calc = new Calculator();
    daemon.register(calc, { id: "dup", expose: CALCULATOR_EXPOSE });
    expect(() =>
      daemon.register(new Calculator(), { id: "dup", expose: CALCULATOR_EXPOSE }),
    ).toThrow(/already registered/);
    expect(() => daemon.register(calc, { expose: CALCULATOR_EXPOSE })).toThrow(
      /already registered as 'dup'/,
    );
    expect(() =>
      daemon.register(new Calculator(), { id: "a b", expose: CALCULATOR_EXPOSE }),
    ).toThrow(/invalid object id/);
    daemon.unregister("dup");
    expect(() => daemon.uriFor(calc)).toThrow(/unknown object/);
  });
});
