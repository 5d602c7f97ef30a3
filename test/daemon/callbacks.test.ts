/**
 * The callback pattern end to end: a TypeScript client passes a registered TypeScript
 * object to a real Python Pyro4 server, which calls it back while its own call is still
 * running — normally, oneway, with an exception, attributes, an iterator, re-entrantly,
 * and later from a thread — once per serializer.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { currentCall } from "../../src/runtime/daemon/context.js";
import { Daemon } from "../../src/runtime/daemon/daemon.js";
import type { ExposeSpec } from "../../src/runtime/daemon/expose.js";
import { pyro4 } from "../../src/runtime/protocol-pyro4/index.js";
import { PyroProxy } from "../../src/runtime/proxy.js";
import type { SerializerName } from "../../src/runtime/serializers/serializer.js";
import type { PyTuple } from "../../src/runtime/values.js";
import { PythonProcesses } from "../harness/python.js";
import { ValueError } from "./objects.js";
import { GENERATIONS } from "../harness/generations.js";

const python = new PythonProcesses();
let serverUri = "";
beforeAll(async () => {
  const { info } = await python.startFixture<{ uri: string }>("callback_server.py");
  serverUri = info.uri;
});
afterAll(() => python.stopAll());

/** The TypeScript callback object. */
class Listener {
  readonly notes: string[] = [];
  readonly received: string[] = [];
  #counter = 5;
  #noteWaiters: Array<() => void> = [];
  readonly #server: PyroProxy;

  constructor(server: PyroProxy) {
    this.#server = server;
  }

  receive(text: string): string {
    this.received.push(text);
    return `ts got ${text}`;
  }

  notify(text: string): void {
    this.notes.push(text);
    for (const wake of this.#noteWaiters.splice(0)) wake();
  }

  explode(): never {
    throw new ValueError("kaboom");
  }

  *count(n: number): Generator<number> {
    for (let i = 0; i < n; i++) yield i * i;
  }

  async relay(text: string): Promise<unknown> {
    return await this.#server.$call("echo", [`relayed ${text}`]);
  }

  trace(): string {
    return Buffer.from(currentCall()?.correlationId ?? []).toString("hex");
  }

  get counter(): number {
    return this.#counter;
  }

  set counter(value: number) {
    this.#counter = value;
  }

  /** Resolves once a oneway note arrived. */
  nextNote(): Promise<void> {
    return new Promise((resolve) => this.#noteWaiters.push(resolve));
  }
}

const LISTENER_EXPOSE: ExposeSpec = {
  methods: ["receive", "count", "relay", "trace"],
  oneway: ["notify"],
  callbacks: ["explode"],
  attrs: ["counter"],
};

async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

const SERIALIZERS: SerializerName[] = ["serpent", "json", "marshal", "msgpack"];

describe.each(GENERATIONS)("a $name server", (generation) => {
  let serverUri = "";
  beforeAll(async () => {
    const { info } = await python.startFixture<{ uri: string }>("callback_server.py", [], {
      generation: generation.protocol,
    });
    serverUri = info.uri;
  });

  describe.each(SERIALIZERS)("Python server calls a TypeScript callback, %s", (serializer) => {
    test("normal, oneway, failing, attribute, iterator, re-entrant and later callbacks", async () => {
      const logged: Array<[string, unknown]> = [];
      const daemon = await Daemon.start({
        logger: (message, error) => logged.push([message, error]),
      });
      const server = new PyroProxy(serverUri, { serializer, registry: daemon.registry });
      const relayProxy = new PyroProxy(serverUri, { serializer });
      try {
        const listener = new Listener(relayProxy);
        daemon.register(listener, { expose: LISTENER_EXPOSE });

        expect(await server.$call("call_back", [listener, "hi"])).toBe("server got: ts got hi");
        expect(await server.$call("callback_serializer", [listener])).toBe(serializer);

        const noted = listener.nextNote();
        expect(await server.$call("call_oneway", [listener, "fire"])).toBe("sent");
        await noted;
        expect(listener.notes).toEqual(["fire"]);

        const failing = (await server.$call("call_failing", [listener])) as {
          error: { type: string; args: string[]; traceback: string };
          after: { type: string };
          reconnected: { returned: string };
        };
        expect(failing.error.type).toBe("builtins.ValueError");
        expect(failing.error.args).toEqual(["kaboom"]);
        expect(failing.error.traceback).toContain("(TypeScript) at Listener.explode");
        expect(failing.after.type).toBe(`${generation.name}.errors.ConnectionClosedError`);
        expect(failing.reconnected.returned).toBe("ts got after reconnecting");
        expect(logged.map(([message]) => message)).toEqual([
          `daemon: callback 'explode' on '${daemon.uriFor(listener).object}' raised`,
        ]);
        expect(logged[0]![1]).toBeInstanceOf(ValueError);

        if (serializer !== "marshal") {
          // Python's own client cannot do attribute access with marshal.
          expect(await server.$call("call_attrs", [listener])).toEqual([5, 15]);
          expect(listener.counter).toBe(15);
        }
        expect(await server.$call("call_iterator", [listener, 4])).toEqual([0, 1, 4, 9]);
        expect(await server.$call("call_reentrant", [listener, "x"])).toBe("relayed x");

        expect(await server.$call("call_later", [listener, "from a thread"])).toBe("scheduled");
        await eventually(() => listener.received.includes("from a thread"));
        expect(listener.received).toContain("from a thread");
      } finally {
        server.$release();
        relayProxy.$release();
        await daemon.close();
      }
    });
  });

  test("an object literal passed with daemon.proxyFor() is called back, in every serializer", async () => {
    await using daemon = await Daemon.start({ host: "127.0.0.1" });
    const child = { receive: (text: string) => `child got ${text}` };
    daemon.register(child, { expose: { methods: ["receive"] } });
    const literal = {
      receive: (text: string) => `literal got ${text}`,
      child: () => daemon.proxyFor(child),
    };
    daemon.register(literal, { expose: { methods: ["receive", "child"] } });
    for (const serializer of SERIALIZERS) {
      // A plain proxy, no registry option: proxyFor's value is written in this call's generation.
      await using server = new PyroProxy(serverUri, { serializer });
      expect(await server.$call("call_back", [daemon.proxyFor(literal), serializer])).toBe(
        `server got: literal got ${serializer}`,
      );
      expect(
        await server.$call("callback_serializer", [daemon.proxyFor(literal, serializer)]),
      ).toBe(serializer);
      // The literal's method returns another literal's proxyFor: written in the generation of
      // the Python server's connection to this daemon.
      expect(await server.$call("call_child", [daemon.proxyFor(literal), "hi"])).toEqual([
        "Proxy",
        "child got hi",
      ]);
    }
  });
});

describe("callback objects", () => {
  test("an HMAC-protected daemon hands its key to Python inside the Proxy dict", async () => {
    // Python copies the callback reply's annotations (HMAC included) into its own reply
    // (a Pyro4 quirk), so the server and the client share the key, as Pyro deployments do.
    const key = "callback-secret";
    const { info } = await python.startFixture<{ uri: string }>("callback_server.py", [
      "--hmac",
      key,
    ]);
    const daemon = await Daemon.start({ host: "127.0.0.1", hmacKey: key });
    const server = new PyroProxy(info.uri, {
      serializer: "json",
      registry: daemon.registry,
      hmacKey: key,
    });
    try {
      const listener = new Listener(server);
      daemon.register(listener, { expose: LISTENER_EXPOSE });
      const dict = pyro4.dialect.proxyToDict(daemon.proxyFor(listener, "json").state);
      expect((dict["state"] as PyTuple).items[5]).toBe(
        `b64:${Buffer.from(key).toString("base64")}`,
      );
      expect(await server.$call("call_back", [listener, "signed"])).toBe(
        "server got: ts got signed",
      );
    } finally {
      server.$release();
      await daemon.close();
    }
  });

  test("an unregistered class instance is refused before anything is sent", async () => {
    const daemon = await Daemon.start({ host: "127.0.0.1" });
    const server = new PyroProxy(serverUri, { serializer: "serpent", registry: daemon.registry });
    try {
      const stranger = new Listener(server);
      await expect(server.$call("call_back", [stranger, "a"])).rejects.toMatchObject({
        code: "serialize",
        message: expect.stringContaining("daemon.register") as unknown,
      });
    } finally {
      server.$release();
      await daemon.close();
    }
  });

  test("the client's correlation id reaches the callback through the Python server", async () => {
    const daemon = await Daemon.start({ host: "127.0.0.1" });
    const corr = "0badc0de-1234-4321-8765-feedfacecafe";
    const server = new PyroProxy(serverUri, {
      serializer: "serpent",
      registry: daemon.registry,
      correlationId: corr,
    });
    try {
      const listener = new Listener(server);
      daemon.register(listener, { expose: LISTENER_EXPOSE });
      expect(await server.$call("call_trace", [listener])).toBe(corr.replaceAll("-", ""));
    } finally {
      server.$release();
      await daemon.close();
    }
  });

  test("a registered object returned by a TS method reaches Python as a proxy (auto-proxy)", async () => {
    const daemon = await Daemon.start({ host: "127.0.0.1" });
    const server = new PyroProxy(serverUri, { serializer: "msgpack", registry: daemon.registry });
    try {
      const child = new Listener(server);
      daemon.register(child, { expose: LISTENER_EXPOSE });
      const parent = { child: () => child };
      daemon.register(parent, { expose: { methods: ["child"] } });
      expect(await server.$call("call_child", [daemon.proxyFor(parent), "hello"])).toEqual([
        "Proxy",
        "ts got hello",
      ]);
    } finally {
      server.$release();
      await daemon.close();
    }
  });

  test("a callback proxy that Python returns comes back as a live proxy to the TS object", async () => {
    const daemon = await Daemon.start({ host: "127.0.0.1" });
    const server = new PyroProxy(serverUri, { serializer: "json", registry: daemon.registry });
    try {
      const listener = new Listener(server);
      const uri = daemon.register(listener, { expose: LISTENER_EXPOSE });
      const back = (await server.$call("pass_back", [listener])) as PyroProxy;
      expect(back).toBeInstanceOf(PyroProxy);
      expect(back.$uri.toString()).toBe(uri.toString());
      expect(await back.$call("receive", ["round trip"])).toBe("ts got round trip");
      back.$release();
    } finally {
      server.$release();
      await daemon.close();
    }
  });
});
