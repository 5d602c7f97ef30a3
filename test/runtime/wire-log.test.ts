/**
 * LOGWIRE: with the item on, a proxy (talking to a real Pyro4 daemon) and pyrogen's daemon
 * write one line per message sent and received to standard error; with it off, nothing.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { PyroConfig } from "../../src/runtime/config.js";
import { Daemon } from "../../src/runtime/daemon/daemon.js";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { startAdvanced } from "../harness/advanced.js";
import { PythonProcesses } from "../harness/python.js";

const python = new PythonProcesses();
afterAll(() => python.stopAll());

let advancedUri: string;
beforeAll(async () => {
  advancedUri = `PYRO:adv@127.0.0.1:${(await startAdvanced(python)).info.port}`;
});

/** The wire log lines written to stderr while `run` runs. */
async function wireLines(run: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  vi.spyOn(process.stderr, "write").mockImplementation((chunk, ...rest) => {
    const text = String(chunk);
    if (text.startsWith("pyro-wire ")) {
      lines.push(text);
      return true;
    }
    return write(chunk, ...(rest as []));
  });
  await run();
  return lines;
}

afterEach(() => vi.restoreAllMocks());

describe("LOGWIRE", () => {
  it("logs each message a proxy sends and receives, payloads by size only", async () => {
    const config = new PyroConfig({ LOGWIRE: true, SERIALIZER: "json" });
    const lines = await wireLines(async () => {
      await using proxy = new PyroProxy(advancedUri, { config });
      expect(await proxy.$call("echo", ["secret-value"])).toBe("secret-value");
    });
    const port = advancedUri.split(":").at(-1);
    expect(lines.map((line) => line.split(" ").slice(0, 5).join(" "))).toEqual([
      `pyro-wire sent 127.0.0.1:${port} CONNECT seq=0`,
      `pyro-wire received 127.0.0.1:${port} CONNECTOK seq=0`,
      `pyro-wire sent 127.0.0.1:${port} INVOKE seq=1`,
      `pyro-wire received 127.0.0.1:${port} RESULT seq=1`,
    ]);
    expect(lines[2]).toMatch(/ ser=2 flags=0x0 size=\d+\n$/);
    expect(lines.join("")).not.toContain("secret-value");
  });

  it("is off by default", async () => {
    const lines = await wireLines(async () => {
      await using proxy = new PyroProxy(advancedUri, { config: new PyroConfig() });
      await proxy.$call("echo", [1]);
    });
    expect(lines).toEqual([]);
  });

  it("logs each message pyrogen's daemon receives and sends", async () => {
    const lines = await wireLines(async () => {
      await using daemon = await Daemon.start({
        host: "127.0.0.1",
        config: new PyroConfig({ LOGWIRE: true }),
      });
      const uri = daemon.register(
        { twice: (x: number) => 2 * x },
        { expose: { methods: ["twice"] } },
      );
      await using proxy = new PyroProxy(uri, { config: new PyroConfig() });
      expect(await proxy.$call("twice", [21])).toBe(42);
    });
    const fields = lines.map((line) => line.split(" "));
    expect(fields.map((f) => `${f[1]} ${f[3]}`)).toEqual([
      "received CONNECT",
      "sent CONNECTOK",
      "received INVOKE",
      "sent RESULT",
    ]);
    for (const f of fields) expect(f[2]).toMatch(/^127\.0\.0\.1:\d+$/);
  });
});
