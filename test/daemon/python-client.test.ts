/**
 * A real Python Pyro4 4.82 and Pyro5 5.16 client call a TypeScript object served by
 * pyrogen's daemon (the same listener answers both generations), once per serializer: calls, kwargs, async methods, exceptions, attributes, a batch, generators,
 * oneway calls, refused names and the `Pyro.Daemon` object.
 */
import { afterAll, describe, expect, test } from "vitest";
import { Daemon } from "../../src/runtime/daemon/daemon.js";
import { PythonProcesses } from "../harness/python.js";
import { GENERATIONS } from "../harness/generations.js";
import { CALCULATOR_EXPOSE, Calculator } from "./objects.js";

const python = new PythonProcesses();
afterAll(() => python.stopAll());

interface ErrorInfo {
  type?: string;
  args?: string[];
  text?: string;
  attributes?: Record<string, string>;
  traceback?: string;
  returned?: string;
}

interface ClientReport {
  serializer: string;
  error?: ErrorInfo;
  echo: string;
  add: number;
  kwargs: string;
  async: number;
  fail: ErrorInfo;
  typeerror: ErrorInfo;
  private: ErrorInfo;
  unexposed: ErrorInfo;
  unknown: ErrorInfo;
  metadata: { methods: string[]; oneway: string[]; attrs: string[] };
  generator: number[];
  async_generator: string[];
  generator_first: number;
  generator_failing: ErrorInfo;
  notified: string[];
  attr_before?: number;
  attr_after?: number;
  readonly?: ErrorInfo;
  batch?: string[];
  daemon_ping: string;
  daemon_registered: string[];
  daemon_info: string;
  daemon_metadata: string[];
  daemon_unknown: ErrorInfo;
  unknown_object: ErrorInfo;
}

describe.each(GENERATIONS)("$name", (generation) => {
  describe.each(["serpent", "json", "marshal", "msgpack"])("Python client, %s", (serializer) => {
    test("calls every kind of exposed member of a TypeScript object", async () => {
      const logged: unknown[] = [];
      const daemon = await Daemon.start({
        host: "127.0.0.1",
        logger: (_m, error) => logged.push(error),
      });
      try {
        const calculator = new Calculator();
        const uri = daemon.register(calculator, { id: "calc", expose: CALCULATOR_EXPOSE });
        const { process, info } = await python.startFixture<ClientReport>(
          "callback_client.py",
          [uri.toString(), serializer],
          { generation: generation.protocol },
        );
        await process.stop();
        expect(info.error).toBeUndefined();
        expect(info.echo).toBe("[1, 'two', 3.5, None, True, {'k': 'v'}]");
        expect(info.add).toBe(5);
        expect(info.kwargs).toBe("hi pyro");
        expect(info.async).toBe(42);

        expect(info.fail.type).toBe("builtins.ValueError");
        expect(info.fail.args).toEqual(["'bad value'"]);
        expect(info.fail.attributes).toEqual({ code: "42" });
        expect(info.fail.traceback).toContain("Remote traceback");
        expect(info.fail.traceback).toContain("(TypeScript) at Calculator.fail");
        expect(info.fail.traceback).toContain("ValueError: bad value");
        expect(info.typeerror.type).toBe("builtins.TypeError");

        expect(info.private.type).toBe("builtins.AttributeError");
        expect(info.private.text).toContain("attempt to access private attribute '_secret'");
        expect(info.unexposed.text).toContain("attempt to access unexposed attribute 'hidden'");
        expect(info.unknown.text).toContain("'Calculator' object has no attribute 'nothing'");

        expect(info.metadata.methods).toEqual([...CALCULATOR_EXPOSE.methods!, "notify"].sort());
        expect(info.metadata.oneway).toEqual(["notify"]);
        expect(info.metadata.attrs).toEqual(["counter", "label"]);

        expect(info.generator).toEqual([0, 1, 2, 3, 4]);
        expect(info.async_generator).toEqual(["item 0", "item 1", "item 2"]);
        expect(info.generator_first).toBe(0);
        expect(info.generator_failing.type).toBe("builtins.ValueError");
        expect(info.generator_failing.text).toBe("generator broke");
        expect(info.notified).toEqual(["one", "two"]);

        if (serializer !== "marshal") {
          expect(info.attr_before).toBe(0);
          expect(info.attr_after).toBe(7);
          expect(calculator.counter).toBe(7);
          expect(info.readonly?.text).toContain("unexposed or unknown remote attribute 'label'");
          expect(info.batch).toEqual(["1", "5", "raised ValueError: in batch"]);
        }

        expect(info.daemon_ping).toBe("None");
        expect(info.daemon_registered).toEqual(["Pyro.Daemon", "calc"]);
        expect(info.daemon_info).toContain(`Pyro.Daemon bound on ${daemon.location}`);
        expect(info.daemon_metadata).toEqual(info.metadata.methods);
        expect(info.daemon_unknown.type).toBe(`${generation.name}.errors.DaemonError`);
        expect(info.daemon_unknown.text).toBe("unknown object");
        expect(info.unknown_object.type).toBe(`${generation.name}.errors.CommunicationError`);
        expect(info.unknown_object.text).toContain("rejected: unknown object");
        expect(logged).toEqual([]);
      } finally {
        await daemon.close();
      }
    });
  });
});

describe("one listener, both generations", () => {
  test("a Pyro4 and a Pyro5 client are served side by side by the same daemon", async () => {
    const daemon = await Daemon.start({ host: "127.0.0.1" });
    try {
      const uri = daemon.register(new Calculator(), { id: "calc", expose: CALCULATOR_EXPOSE });
      const [four, five] = await Promise.all(
        GENERATIONS.map((generation) =>
          python.startFixture<{ echo: string; big: number; error?: unknown }>(
            "callback_client.py",
            [uri.toString(), "serpent", "--scenario", "ping"],
            { generation: generation.protocol },
          ),
        ),
      );
      for (const client of [four!, five!]) {
        await client.process.stop();
        expect(client.info.error).toBeUndefined();
        expect(client.info.echo).toBe("'ping'");
        expect(client.info.big).toBe(5000);
      }
    } finally {
      await daemon.close();
    }
  });

  test("a daemon with an HMAC key refuses Pyro5 clients (Pyro5 cannot sign) with a clear reason", async () => {
    const daemon = await Daemon.start({ host: "127.0.0.1", hmacKey: "secret" });
    try {
      const uri = daemon.register(new Calculator(), { id: "calc", expose: CALCULATOR_EXPOSE });
      const { process, info } = await python.startFixture<{ error?: { text: string } }>(
        "callback_client.py",
        [uri.toString(), "serpent", "--scenario", "ping"],
        { generation: 5 },
      );
      await process.stop();
      expect(info.error?.text).toContain("rejected: Pyro5 has no HMAC message signing");
    } finally {
      await daemon.close();
    }
  });
});
