import { describe, expect, it } from "vitest";
import { PythonProcesses } from "../harness/python.js";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { formatRemoteTraceback } from "../../src/runtime/errors.js";
import { ClassRegistry } from "../../src/runtime/serializers/class-registry.js";
import { SERIALIZERS, useLab } from "./lab.js";
import { failure } from "../harness/failures.js";

const python = new PythonProcesses();
const lab = useLab(python);

describe.each(SERIALIZERS)("remote exceptions with %s", (serializer) => {
  it("a builtin exception carries type, args and the remote traceback", async () => {
    await using proxy = new PyroProxy(lab.uri, { serializer });
    const error = await failure(proxy.$call("fail_value"));
    expect(error.code).toBe("remote");
    expect(error.remote?.type).toBe("builtins.ValueError");
    expect(error.remote?.args).toEqual(["bad value", 42]);
    // Python's str(e); the class is a field of its own.
    expect(error.message).toBe("('bad value', 42)");
    expect(error.pythonType).toBe("builtins.ValueError");
    const traceback = formatRemoteTraceback(error);
    expect(traceback).toMatch(
      /^ \+--- This exception occured remotely \(Pyro\) - Remote traceback:\n/,
    );
    expect(traceback).toContain(' |   File "');
    expect(traceback).toContain("in fail_value");
    expect(traceback).toContain(" | ValueError: ('bad value', 42)");
    expect(traceback.endsWith(" +--- End of remote traceback\n")).toBe(true);
    // The connection stays usable after an ordinary remote exception.
    expect(await proxy.$call("echo", [1])).toBe(1);
  });

  it("a custom exception keeps its extra attributes", async () => {
    await using proxy = new PyroProxy(lab.uri, { serializer });
    const error = await failure(proxy.$call("fail_custom"));
    expect(error.code).toBe("remote");
    expect(error.remote?.type).toBe("__main__.CustomError");
    expect(error.remote?.args).toEqual(["custom message"]);
    expect(error.remote?.attributes).toEqual({ extra: { x: 1 }, code: 7 });
    expect(error.message).toBe("custom message");
    expect(error.pythonType).toBe("__main__.CustomError");
  });

  it("Pyro4's own errors map to their codes; no args gives an empty message, as str(e)", async () => {
    await using proxy = new PyroProxy(lab.uri, { serializer });
    const naming = await failure(proxy.$call("fail_naming"));
    expect(naming.code).toBe("naming");
    expect(naming.remote?.type).toBe("Pyro4.errors.NamingError");
    const bare = await failure(proxy.$call("fail_noargs"));
    expect(bare.remote?.type).toBe("builtins.RuntimeError");
    expect(bare.remote?.args).toEqual([]);
    expect(bare.message).toBe("");
    expect(bare.pythonType).toBe("builtins.RuntimeError");
  });

  it("wrong arguments are a remote TypeError", async () => {
    await using proxy = new PyroProxy(lab.uri, { serializer });
    const error = await failure(proxy.$call("add", [1]));
    expect(error.remote?.type).toBe("builtins.TypeError");
    expect(error.message).toContain("missing 1 required positional argument");
  });

  it("an unknown method without metadata is refused by the daemon", async () => {
    await using proxy = new PyroProxy(lab.uri, { serializer, metadata: false });
    const error = await failure(proxy.$call("no_such_method"));
    expect(error.remote?.type).toBe("builtins.AttributeError");
  });

  it("an unserializable result is a serialize error; the next call reconnects", async () => {
    await using proxy = new PyroProxy(lab.uri, { serializer });
    const error = await failure(proxy.$call("unserializable"));
    expect(error.message).toContain("don't know how to serialize class <class 'object'>");
    if (serializer === "serpent") {
      // Pyro4's serpent layer raises a plain TypeError here, which keeps the connection.
      expect(error.remote?.type).toBe("builtins.TypeError");
    } else {
      expect(error.code).toBe("serialize");
      expect(error.isCommunicationError).toBe(true);
      expect(proxy.$connected).toBe(false);
    }
    expect(await proxy.$call("echo", ["again"])).toBe("again");
  });
});

describe.each(SERIALIZERS)("replies this end cannot decode, with %s", (serializer) => {
  it("fail that call with a serialize error and drop the connection; calls in flight, other proxies and the next call carry on", async () => {
    // `unregistered` returns an instance of a class no one registered: a class dict.
    const registry = new ClassRegistry().registerDictToClass("__main__.Hidden", () => {
      throw new TypeError("this class cannot be revived here");
    });
    await using proxy = new PyroProxy(lab.uri, { serializer, registry });
    await using other = new PyroProxy(lab.uri, { serializer, registry });
    expect(await other.$call("echo", ["before"])).toBe("before");
    // The bad reply is decoded as it is dispatched, before the reply behind it on the wire.
    const bad = failure(proxy.$call("unregistered"));
    const behind = failure(proxy.$call("slow", [0.2, "behind"]));
    const error = await bad;
    expect(error.code).toBe("serialize");
    expect(error.message).toContain("this class cannot be revived here");
    expect(proxy.$connected).toBe(false);
    expect((await behind).code).toBe("connection-closed");
    expect(await other.$call("echo", ["still open"])).toBe("still open");
    expect(await proxy.$call("echo", ["again"])).toBe("again");
  });
});

describe("arguments no serializer can carry", () => {
  it("fail locally with a serialize error; the connection is untouched", async () => {
    class Unknown {
      readonly x = 1;
    }
    await using proxy = new PyroProxy(lab.uri);
    await proxy.$bind();
    const error = await failure(proxy.$call("echo", [new Unknown()]));
    expect(error.code).toBe("serialize");
    expect(error.message).toContain("Unknown");
    expect(proxy.$connected).toBe(true);
    expect(await proxy.$call("echo", ["still connected"])).toBe("still connected");
  });

  it("bytes over json name a serializer that can carry them", async () => {
    await using proxy = new PyroProxy(lab.uri, { serializer: "json" });
    const error = await failure(proxy.$call("echo", [new Uint8Array([1, 2, 3])]));
    expect(error.code).toBe("serialize");
    expect(error.message).toMatch(/serpent|marshal|msgpack/);
  });
});
