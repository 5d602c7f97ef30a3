import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PythonProcesses, freePort } from "../harness/python.js";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { SERIALIZERS, startLab, type LabInfo } from "./lab.js";
import { failure } from "../harness/failures.js";
import { GENERATIONS } from "../harness/generations.js";

const python = new PythonProcesses();
afterAll(() => python.stopAll());

describe.each(GENERATIONS)("$name daemons", (generation) => {
  let lab: LabInfo;
  let guarded: LabInfo;
  beforeAll(async () => {
    [lab, guarded] = await Promise.all([
      startLab(python, [], {}, generation),
      startLab(python, ["--handshake"], {}, generation),
    ]);
  });

  describe.each(SERIALIZERS)("connecting with %s", (serializer) => {
    it("connects lazily on the first call and gets the metadata with the handshake", async () => {
      await using proxy = new PyroProxy(lab.uri, { serializer });
      expect(proxy.$connected).toBe(false);
      expect(proxy.$metadata).toBeNull();
      expect(await proxy.$call("echo", [1])).toBe(1);
      expect(proxy.$connected).toBe(true);
      expect(proxy.$handshakeResponse).toBe("hello");
      expect(proxy.$metadata?.methods.has("echo")).toBe(true);
    });

    it("binds explicitly", async () => {
      await using proxy = new PyroProxy(lab.uri, { serializer });
      await proxy.$bind();
      expect(proxy.$connected).toBe(true);
      expect(proxy.$uri.toString()).toBe(lab.uri);
      expect([...proxy.$metadata!.methods]).toContain("make_child");
    });

    it("sends custom handshake data and validates the response", async () => {
      const responses: unknown[] = [];
      await using proxy = new PyroProxy(guarded.uri, {
        serializer,
        handshake: "secret-hello",
        validateHandshake: (response) => {
          responses.push(response);
        },
      });
      expect(await proxy.$call("echo", ["in"])).toBe("in");
      expect(responses).toEqual([{ welcome: "secret-hello", n: 1 }]);
    });

    it("a handshake the daemon refuses is a communication error with its reason", async () => {
      await using proxy = new PyroProxy(guarded.uri, {
        serializer,
        handshake: { some: ["data", 1] },
      });
      const error = await failure(proxy.$call("echo", [1]));
      expect(error.code).toBe("communication");
      expect(error.message).toMatch(
        /^connection to 127\.0\.0\.1:\d+ rejected: bad handshake data: /,
      );
      expect(proxy.$connected).toBe(false);
    });

    it("a handshake response the validator refuses closes the connection", async () => {
      await using proxy = new PyroProxy(lab.uri, {
        serializer,
        validateHandshake: (response) => {
          if (response !== "welcome") throw new Error(`unexpected response ${String(response)}`);
        },
      });
      const error = await failure(proxy.$call("echo", [1]));
      expect(error.code).toBe("communication");
      expect(error.message).toContain("refused by validateHandshake: unexpected response hello");
      expect(proxy.$connected).toBe(false);
    });

    it("METADATA off: no local checks, oneway methods run synchronously", async () => {
      await using proxy = new PyroProxy(lab.uri, { serializer, metadata: false });
      expect(await proxy.$call("fire", ["meta-off"])).toBe("fired");
      expect(proxy.$metadata).toBeNull();
      expect(await proxy.$get("readonly")).toBe("ro");
    });
  });

  describe("connection failures", () => {
    it("an object that exposes nothing is refused with Pyro4's advice", async () => {
      await using proxy = new PyroProxy(lab.empty);
      const error = await failure(proxy.$call("secret"));
      expect(error.code).toBe("pyro");
      expect(error.message).toContain("doesn't expose any methods or attributes");
    });

    it("an unknown object id is named", async () => {
      await using proxy = new PyroProxy(lab.uri.replace("PYRO:lab@", "PYRO:missing@"));
      const error = await failure(proxy.$call("echo", [1]));
      expect(error.message).toMatch(/rejected: unknown object \(no such object id/);
    });
  });
});

describe("connection failures", () => {
  it("a refused serializer names the ones the daemon accepts (Pyro4: SERIALIZERS_ACCEPTED)", async () => {
    const echo = await python.start(["-m", "Pyro4.test.echoserver", "-H", "127.0.0.1", "-p", "0"], {
      ready: { line: /^echo uri: (PYRO:\S+)/ },
    });
    await using proxy = new PyroProxy(echo.readyMatch![1]!, { serializer: "msgpack" });
    const error = await failure(proxy.$call("echo", [1]));
    expect(error.code).toBe("serialize");
    expect(error.message).toMatch(
      /^connection to 127\.0\.0\.1:\d+ rejected: message used serializer that is not accepted: 6 \(the daemon does not accept the msgpack serializer; it accepts serpent, json, marshal/,
    );
  });

  it("nobody listening is a communication error that is not retried", async () => {
    const port = await freePort();
    await using proxy = new PyroProxy(`PYRO:lab@127.0.0.1:${port}`, { maxRetries: 3 });
    const error = await failure(proxy.$call("echo", [1]));
    expect(error.code).toBe("communication");
    expect(error.message).toMatch(
      new RegExp(`^cannot connect to 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`),
    );
  });

  it("a PYRONAME uri without a resolver fails clearly", async () => {
    await using proxy = new PyroProxy(`PYRONAME:some.name@127.0.0.1:${await freePort()}`);
    const error = await failure(proxy.$call("echo"));
    expect(["naming", "communication"]).toContain(error.code);
  });
});
