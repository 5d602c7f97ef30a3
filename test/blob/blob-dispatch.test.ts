/**
 * Pyro4's `blob-dispatch` example (fixtures/blob-dispatch: a dispatcher that passes
 * SerializedBlobs on without deserializing them, Python listeners, a Python client), with a
 * TypeScript client in it and with a TypeScript listener in it. The data class is known to
 * the client and the listeners only.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PyroConfig } from "../../src/runtime/config.js";
import { Daemon } from "../../src/runtime/daemon/daemon.js";
import { PyroError } from "../../src/runtime/errors.js";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { SerializedBlob } from "../../src/runtime/serialized-blob.js";
import { ClassRegistry } from "../../src/runtime/serializers/class-registry.js";
import { failure } from "../harness/failures.js";
import { FIXTURES, PythonProcesses } from "../harness/python.js";
import { waitFor } from "../harness/wait.js";

const DISPATCHER = "PYRONAME:example.blobdispatcher";
const LISTENER = { methods: ["process_blob"] };
const CLASS_NAME = "blobdispatch.CustomData";

/** The TypeScript side's copy of the example's data class. */
class CustomData {
  constructor(
    readonly a: number,
    readonly b: string,
    readonly c: string,
  ) {}
}

/** Hooks for CustomData both ways, on `registry`. */
function teach(registry: ClassRegistry): ClassRegistry {
  return registry
    .registerClassToDict(CustomData, (value) => {
      const data = value as CustomData;
      return { __class__: CLASS_NAME, a: data.a, b: data.b, c: data.c };
    })
    .registerDictToClass(
      CLASS_NAME,
      (dict) => new CustomData(dict["a"] as number, dict["b"] as string, dict["c"] as string),
    );
}

/** Registered with `{ expose: LISTENER }` (decorators need TypeScript's own compiler in tests). */
class TsListener {
  readonly seen: Array<{ info: unknown; data: unknown }> = [];

  process_blob(blob: SerializedBlob): void {
    this.seen.push({ info: blob.info, data: blob.deserialized() });
  }
}

const python = new PythonProcesses();
const dir = path.join(FIXTURES, "blob-dispatch");
let env: Record<string, string>;
let config: PyroConfig;
let pythonListener: string;

beforeAll(async () => {
  const { port } = await python.startNameServer();
  env = { PYRO_NS_HOST: "127.0.0.1", PYRO_NS_PORT: String(port) };
  config = new PyroConfig({ NS_HOST: "127.0.0.1", NS_PORT: port, BROADCAST_ADDRS: "127.0.0.1" });
  await python.startFixture("blob-dispatch/dispatcher.py", [], { env, cwd: dir });
  const { info } = await python.startFixture<{ uri: string }>(
    "blob-dispatch/listener.py",
    ["py-topic"],
    { env, cwd: dir },
  );
  pythonListener = info.uri;
});
afterAll(() => python.stopAll());

describe("blob-dispatch with a TypeScript client", () => {
  it("a blob reaches the Python listener through the dispatcher, deserialized only there", async () => {
    await using dispatcher = new PyroProxy(DISPATCHER, {
      config,
      registry: teach(new ClassRegistry()),
    });
    const blob = new SerializedBlob("py-topic", new CustomData(42, "hello world", "2024-05-06"));
    expect(await dispatcher.$call("process_blob", [blob])).toBe(1);
    await using listener = new PyroProxy(pythonListener, { config });
    expect(await listener.$call("received")).toEqual([
      { info: "py-topic", type: "CustomData", a: 42, b: "hello world", c: "2024-05-06" },
    ]);
  });

  it("a SerializedBlob must be the only argument: refused before anything is sent", async () => {
    await using dispatcher = new PyroProxy(DISPATCHER, { config });
    const blob = new SerializedBlob("py-topic", [1, 2]);
    const error = await failure(dispatcher.$call("process_blob", [blob, "extra"]));
    expect(error).toBeInstanceOf(PyroError);
    expect(error.code).toBe("serialize");
    expect(error.message).toMatch(/must be the only argument/);
    const withKwargs = await failure(dispatcher.$call("process_blob", [blob], { x: 1 }));
    expect(withKwargs.code).toBe("serialize");
  });
});

describe("blob-dispatch with a TypeScript listener", () => {
  it("gets the Python client's blob still serialized and deserializes it with its own hooks", async () => {
    await using daemon = await Daemon.start({
      host: "127.0.0.1",
      registry: teach(new ClassRegistry()),
    });
    const listener = new TsListener();
    daemon.register(listener, { expose: LISTENER });
    await using dispatcher = new PyroProxy(DISPATCHER, { config, registry: daemon.registry });
    await dispatcher.$call("register", ["ts-topic", listener]);
    const proc = await python.start([path.join(dir, "client.py"), "ts-topic"], {
      ready: { line: /^READY (.*)$/ },
      env,
      cwd: dir,
    });
    await proc.stop();
    expect(JSON.parse(proc.readyMatch![1]!)).toEqual({ dispatched_to: 1 });
    expect(listener.seen).toHaveLength(1);
    const { info, data } = listener.seen[0]!;
    expect(info).toBe("ts-topic");
    expect(data).toBeInstanceOf(CustomData);
    expect(data).toEqual(new CustomData(42, "hello world", "2024-05-06T07:08:09"));
  });

  it("gets a TypeScript client's blob too, and passes a received blob on unchanged", async () => {
    await using daemon = await Daemon.start({
      host: "127.0.0.1",
      registry: teach(new ClassRegistry()),
    });
    const listener = new TsListener();
    daemon.register(listener, { expose: LISTENER });
    await using dispatcher = new PyroProxy(DISPATCHER, { config, registry: daemon.registry });
    await dispatcher.$call("register", ["ts-only", listener]);
    await using client = new PyroProxy(DISPATCHER, {
      config,
      registry: teach(new ClassRegistry()),
    });
    await client.$call("process_blob", [
      new SerializedBlob("ts-only", new CustomData(7, "x", "y")),
    ]);
    await waitFor(async () => listener.seen.length === 1);
    expect(listener.seen[0]!.data).toEqual(new CustomData(7, "x", "y"));
    // A blob that arrived serialized goes on byte for byte, here from a forwarding object to
    // the Python listener, through a proxy that knows nothing of CustomData.
    const forwarded: SerializedBlob[] = [];
    const forwarder = { process_blob: (blob: SerializedBlob) => void forwarded.push(blob) };
    daemon.register(forwarder, { id: "forwarder", expose: { methods: ["process_blob"] } });
    await dispatcher.$call("register", ["forward", daemon.proxyFor("forwarder")]);
    const sent = new SerializedBlob("forward", new CustomData(8, "passed on", "z"));
    await client.$call("process_blob", [sent]);
    await waitFor(async () => forwarded.length === 1);
    await using pyListener = new PyroProxy(pythonListener, { config });
    await pyListener.$call("process_blob", [forwarded[0]]);
    const seen = (await pyListener.$call("received")) as unknown[];
    expect(seen.at(-1)).toEqual({
      info: "forward",
      type: "CustomData",
      a: 8,
      b: "passed on",
      c: "z",
    });
  });
});
