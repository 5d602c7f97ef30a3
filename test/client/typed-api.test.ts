/**
 * The typed client as the only thing a program needs, against the real Pyro4 shop server
 * (fixtures/codegen/shop/server.py) through its generated modules: per-call options in
 * every call form, the controls, per-request annotations, returned proxies and connect
 * targets, callbacks without any registry option, batches, iterators stepped by hand,
 * remote errors that read like Python, and the process-wide class registry.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connectCart } from "../../fixtures/codegen/shop/expected/cart.js";
import { connectShop, type ShopClient } from "../../fixtures/codegen/shop/expected/shop.js";
import { Daemon } from "../../src/runtime/daemon/daemon.js";
import { formatRemoteTraceback, PyroError } from "../../src/runtime/errors.js";
import { Future } from "../../src/runtime/future.js";
import { Kwargs } from "../../src/runtime/kwargs.js";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { ClassRegistry } from "../../src/runtime/serializers/class-registry.js";
import { URI } from "../../src/runtime/uri.js";
import { PythonProcesses } from "../harness/python.js";

const python = new PythonProcesses();
let uri = "";
const opened: { $release(): void }[] = [];

beforeAll(async () => {
  uri = (await python.startFixture<{ uri: string }>("codegen/shop/server.py")).info.uri;
});
afterEach(() => {
  for (const client of opened.splice(0)) client.$release();
});
afterAll(() => python.stopAll());

function shopFor(user: string, options: Parameters<typeof connectShop>[1] = {}): ShopClient {
  const client = connectShop(uri, { handshake: { user }, ...options });
  opened.push(client);
  return client;
}

async function failure(promise: PromiseLike<unknown>): Promise<PyroError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PyroError) return error;
    throw error;
  }
  throw new Error("expected a rejection");
}

describe("$with: per-call options in every call form", () => {
  it("annotations reach the server in plain, batch and async calls, on top of the client's", async () => {
    const shop = shopFor("alice", { annotations: { REQN: "client" } });
    const bob = shop.$with({ annotations: { USER: "bob" } });
    expect(await bob.whoami()).toEqual({ session: "alice", request: "bob" });
    expect(await bob.request_number()).toBe("client");
    const [who, number] = await bob.$batch((b) => [b.whoami(), b.request_number()]);
    expect(who).toEqual({ session: "alice", request: "bob" });
    expect(number).toBe("client");
    // $async runs on its own connection (its own handshake), with the view's annotations.
    expect(await bob.$async.whoami().value).toEqual({ session: "alice", request: "bob" });
    // A nested view adds to its parent's; its own keys win.
    const nested = bob.$with({ annotations: { REQN: "nested" } });
    expect(await nested.whoami()).toEqual({ session: "alice", request: "bob" });
    expect(await nested.request_number()).toBe("nested");
    // The client itself is unchanged.
    expect(await shop.whoami()).toEqual({ session: "alice", request: null });
  });

  it("timeoutMs applies to that view only", async () => {
    const shop = shopFor("alice");
    const error = await failure(shop.$with({ timeoutMs: 150 }).slow(1.5));
    expect(error.code).toBe("timeout");
    expect(shop.$timeoutMs).not.toBe(150);
    expect(await shop.slow(0.01)).toBe(0.01);
  });

  it("an aborted signal fails plain, batch, async and iterator calls with `aborted`", async () => {
    const shop = shopFor("alice");
    const view = shop.$with({ signal: AbortSignal.abort(new Error("stop")) });
    expect((await failure(view.whoami())).code).toBe("aborted");
    expect((await failure(view.$batch((b) => [b.whoami()]))).code).toBe("aborted");
    expect((await failure(view.$async.whoami())).code).toBe("aborted");
    expect((await failure(view.$iter.catalog(2).next())).code).toBe("aborted");
    expect(await shop.whoami()).toEqual({ session: "alice", request: null });
  });
});

describe("controls on the client", () => {
  it("bind, ping, release, reconnect; the URI and the object's id", async () => {
    const shop = shopFor("alice");
    expect(shop.$connected).toBe(false);
    expect(shop.$uri.toString()).toBe(uri);
    expect(shop.$objectId).toBe("shop");
    await shop.$bind();
    expect(shop.$connected).toBe(true);
    expect(shop.$metadata?.methods.has("whoami")).toBe(true);
    expect(shop.$handshakeResponse).toEqual({ welcome: "alice" });
    await shop.$ping();
    shop.$release();
    expect(shop.$connected).toBe(false);
    await shop.$reconnect(3, 10);
    expect(shop.$connected).toBe(true);
  });

  it("settings read and write through to the proxy, in milliseconds", async () => {
    const shop = shopFor("alice");
    shop.$timeoutMs = 4321;
    expect(shop.$proxy.$timeout).toBe(4321);
    expect(() => {
      shop.$timeoutMs = -1;
    }).toThrow(/invalid \$timeout=-1/);
    shop.$maxRetries = 2;
    expect(shop.$proxy.$maxRetries).toBe(2);
    shop.$serializer = "json";
    expect(await shop.whoami()).toEqual({ session: "alice", request: null });
    expect(shop.$proxy.$serializer).toBe("json");
    // A new handshake value takes effect on the next connection: a new user session.
    shop.$handshake = { user: "dave" };
    shop.$release();
    expect(await shop.whoami()).toEqual({ session: "dave", request: null });
    shop.$annotations = { USER: "erin" };
    expect(await shop.whoami()).toEqual({ session: "dave", request: "erin" });
    const id = "9c2ae1c7-92b5-4b55-93a5-6bd0ff0f0d2d";
    shop.$correlationId = id;
    await shop.whoami();
    expect(shop.$correlationId).toBe(id);
    expect(shop.$responseAnnotations.has("CORR")).toBe(true);
    shop.$hmacKey = "secret";
    expect(Buffer.from(shop.$hmacKey!).toString()).toBe("secret");
    // The daemon has no key: it refuses the signed connection.
    expect((await failure(shop.whoami())).message).toMatch(/hmac/i);
    shop.$hmacKey = null;
    expect(shop.$hmacKey).toBeUndefined();
    expect(await shop.whoami()).toEqual({ session: "dave", request: "erin" });
  });
});

describe("annotations computed per request", () => {
  it("the function runs for the CONNECT and for every call", async () => {
    let made = 0;
    const shop = shopFor("alice", { annotations: () => ({ REQN: String(++made) }) });
    const first = await shop.request_number();
    const second = await shop.request_number();
    // CONNECT took "1", so the calls saw "2" and "3".
    expect([first, second]).toEqual(["2", "3"]);
    expect(made).toBe(3);
    await shop.$ping();
    expect(made).toBe(4);
  });

  it("a function that returns no annotations fails the call with a config error", async () => {
    const shop = shopFor("alice");
    const broken = shop.$with({ annotations: () => 42 as unknown as Record<string, string> });
    const error = await failure(broken.whoami());
    expect(error.code).toBe("config");
    expect(error.message).toMatch(/annotations function returned number/);
  });
});

describe("returned proxies and connect targets", () => {
  it("a returned proxy is a typed client, and a client passed as an argument is its proxy", async () => {
    const shop = shopFor("alice");
    const cart = await shop.new_cart();
    opened.push(cart);
    expect(cart.$proxy).toBeInstanceOf(PyroProxy);
    expect(cart.$proxy).not.toBe(shop.$proxy);
    expect(await cart.add("apple", 4)).toBe(1);
    expect(await cart.user).toBe("alice");
    // Before: "cannot serialize a function" (the client is an object of functions).
    expect(await shop.pay_cart(cart)).toBe(4);
    expect(await shop.paid_by("alice")).toBeGreaterThanOrEqual(4);
  });

  it("connect accepts a URI string, a URI object, a live proxy and another client", async () => {
    const byText = shopFor("alice");
    const byUri = connectShop(new URI(uri), { handshake: { user: "alice" } });
    opened.push(byUri);
    expect(await byUri.whoami()).toEqual(await byText.whoami());
    const proxy = new PyroProxy(uri, { handshake: { user: "frank" } });
    const byProxy = connectShop(proxy);
    expect(byProxy.$proxy).toBe(proxy);
    expect(await byProxy.whoami()).toEqual({ session: "frank", request: null });
    expect(connectShop(byProxy).$proxy).toBe(proxy);
    const cart = await byProxy.new_cart();
    // The same cart, typed by its own module's connect function from the live proxy.
    const again = connectCart(cart.$proxy);
    expect(again.$proxy).toBe(cart.$proxy);
    expect(await again.total()).toBe(0);
    proxy.$release();
    cart.$release();
  });
});

describe("callbacks without wiring", () => {
  class Listener {
    readonly calls: unknown[][] = [];
    paid(...args: unknown[]): void {
      this.calls.push(args);
    }
    receipt(): string {
      return `receipt for ${this.calls.length}`;
    }
    notify(text: string): void {
      this.calls.push([text]);
    }
  }
  const exposure = { expose: { methods: ["paid", "receipt", "notify"] } };

  it("an object registered with a daemon started after the client travels as its proxy", async () => {
    // No registry option anywhere, and the client exists before the daemon.
    const shop = shopFor("gina");
    const cart = await shop.new_cart();
    opened.push(cart);
    await cart.add("bread", 3);
    await using daemon = await Daemon.start({ host: "127.0.0.1" });
    const listener = new Listener();
    daemon.register(listener, exposure);
    expect(await shop.checkout(cart, listener)).toBe("receipt for 1");
    // Python's keyword arguments arrive as one trailing Kwargs, never as a plain object.
    const [total, kw] = listener.calls[0]!;
    expect(total).toBe(3);
    expect(kw).toBeInstanceOf(Kwargs);
    expect((kw as Kwargs).values).toEqual({ user: "gina", items: 1 });
    // Also through a plain proxy made without options.
    const proxy = new PyroProxy(uri);
    expect(await proxy.$call("notify_later", [listener, "hi"])).toBe(true);
    expect(listener.calls[1]).toEqual(["hi"]);
    proxy.$release();
  });

  it("an object no daemon registered, or whose daemon closed, is a serialize error", async () => {
    const shop = shopFor("gina");
    const stranger = new Listener();
    const error = await failure(shop.notify_later(stranger, "x"));
    expect(error.code).toBe("serialize");
    expect(error.message).toMatch(/daemon\.register/);
    const daemon = await Daemon.start({ host: "127.0.0.1" });
    daemon.register(stranger, exposure);
    expect(await shop.notify_later(stranger, "y")).toBe(true);
    await daemon.close();
    expect((await failure(shop.notify_later(stranger, "z"))).code).toBe("serialize");
  });

  it("the explicit form, a proxy given the daemon's registry, still works", async () => {
    await using daemon = await Daemon.start({ host: "127.0.0.1" });
    const listener = new Listener();
    daemon.register(listener, exposure);
    const shop = shopFor("hal", { registry: daemon.registry });
    expect(await shop.notify_later(listener, "explicit")).toBe(true);
    expect(listener.calls).toEqual([["explicit"]]);
  });
});

describe("$batch forms and iterators by hand", () => {
  it("settled gives the results before the failed call; oneway and async batches", async () => {
    const shop = shopFor("ivy");
    const cart = await shop.new_cart();
    opened.push(cart);
    const settled = await cart.$batch.settled((b) => [
      b.add("a", 1),
      b.add("b", 2),
      b.fail("out of stock"),
      b.add("c", 3),
    ]);
    expect(settled.values).toEqual([1, 2]);
    expect(settled.completed).toBe(2);
    expect(settled.error?.message).toBe("out of stock");
    expect(settled.error?.pythonType).toBe("builtins.ValueError");
    const complete = await cart.$batch.settled((b) => [b.total()]);
    expect(complete).toEqual({ values: [3], completed: 1, error: undefined });
    await cart.$batch.oneway((b) => [b.add("d", 4), b.add("e", 5)]);
    const future = cart.$batch.async((b) => [b.total(), b.contents()]);
    expect(future).toBeInstanceOf(Future);
    expect(await future.value).toEqual([12, ["a", "b", "d", "e"]]);
    const rejected = await failure(cart.$batch((b) => [b.fail("no"), b.total()]));
    expect(rejected.message).toBe("no");
  });

  it("$iter steps a remote generator with next(), and return() closes it", async () => {
    const shop = shopFor("ivy");
    const items = shop.$iter.catalog(4);
    expect(await items.next()).toEqual({ value: "apple", done: false });
    expect(await items.next()).toEqual({ value: "bread", done: false });
    expect(await items.return()).toEqual({ value: undefined, done: true });
    expect(await items.next()).toEqual({ value: undefined, done: true });
    const all: string[] = [];
    for await (const item of shop.$iter.catalog(2)) all.push(item);
    expect(all).toEqual(["apple", "bread"]);
  });
});

describe("remote errors read like Python", () => {
  it("message is str(e), the class is pythonType, the traceback is unchanged", async () => {
    const shop = shopFor("jo");
    const keyError = await failure(shop.missing("nope"));
    expect(keyError.message).toBe("'nope'");
    expect(keyError.pythonType).toBe("builtins.KeyError");
    expect(keyError.remote?.type).toBe("builtins.KeyError");
    expect(keyError.code).toBe("remote");
    const traceback = formatRemoteTraceback(keyError);
    expect(traceback).toMatch(
      /^ \+--- This exception occured remotely \(Pyro\) - Remote traceback:\n/,
    );
    expect(traceback).toContain(" | KeyError: 'nope'");
    expect(new PyroError("timeout", "local").pythonType).toBeUndefined();
  });

  it("the stack shows the line that made the call", async () => {
    const shop = shopFor("jo");
    const cart = await shop.new_cart();
    opened.push(cart);
    const plain = await failure(cart.fail("plain"));
    expect(plain.stack).toContain("typed-api.test.ts");
    const viaProxy = await failure(shop.$proxy.$call("missing", ["k"]));
    expect(viaProxy.stack).toContain("typed-api.test.ts");
    const inBatch = await failure(cart.$batch((b) => [b.fail("batched")]));
    expect(inBatch.stack).toContain("typed-api.test.ts");
    // Futures: the stack of the line that made the call, taken when it was made.
    const inFuture = await failure(cart.$async.fail("later").value);
    expect(inFuture.stack).toContain("typed-api.test.ts");
    const inAsyncBatch = await failure(cart.$batch.async((b) => [b.fail("async")]).value);
    expect(inAsyncBatch.stack).toContain("typed-api.test.ts");
    // The first line still names the error and its message.
    expect(plain.stack?.split("\n")[0]).toBe("PyroError: plain");
  });
});

describe("the process-wide class registry", () => {
  class Point {
    constructor(
      readonly x: number,
      readonly y: number,
    ) {}
  }
  const toDict = (point: object) => ({
    __class__: "shop.Point",
    x: (point as Point).x,
    y: (point as Point).y,
  });
  const fromDict = (dict: Record<string, unknown>) =>
    new Point(dict["x"] as number, dict["y"] as number);

  it("hooks in ClassRegistry.default apply to every client; a client's own registry wins", async () => {
    const shop = shopFor("kim");
    ClassRegistry.default.registerClassToDict(Point, toDict);
    ClassRegistry.default.registerDictToClass("shop.Point", fromDict);
    try {
      // The client existed before the hooks: they are read live.
      const moved = await shop.move(new Point(1, 2), 3);
      expect(moved).toBeInstanceOf(Point);
      expect(moved).toEqual(new Point(4, 2));
      const own = new ClassRegistry().registerDictToClass("shop.Point", (d) => [d["x"], d["y"]]);
      const custom = shopFor("kim", { registry: own });
      expect(await custom.move(new Point(0, 5), 1)).toEqual([1, 5]);
    } finally {
      ClassRegistry.default.unregisterClassToDict(Point);
      ClassRegistry.default.unregisterDictToClass("shop.Point");
    }
    // Without hooks a Point cannot be sent.
    expect((await failure(shop.move(new Point(1, 1), 1))).code).toBe("serialize");
  });
});

describe("deferred calls chain", () => {
  it("chain() adds steps before the call, as Pyro4's Future.then", async () => {
    const deferred = Future.deferred((a: number, b: number) => a + b)
      .chain((sum) => sum * 10)
      .chain((value) => `=${value}`);
    expect(await deferred.call(1, 2).value).toBe("=30");
    expect(() => deferred.chain((v) => v)).toThrow(/already been evaluated/);
  });
});
