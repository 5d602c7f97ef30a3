import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BatchResultList,
  Future,
  PyroProxy,
  RemoteIterator,
  locateNS,
} from "../../src/runtime/index.js";
import { startAdvanced, startNameServer } from "../harness/advanced.js";
import { PythonProcesses } from "../harness/python.js";

const python = new PythonProcesses();
afterAll(() => python.stopAll());

let nsPort: number;
beforeAll(async () => {
  nsPort = (await startNameServer(python)).info.port;
  await startAdvanced(python, { nsPort });
});

describe("naming through the public runtime entry point only", () => {
  it("resolves PYRONAME and streams remote iterators with nothing else imported", async () => {
    await using ns = await locateNS({ host: "127.0.0.1", port: nsPort });
    expect((await ns.lookup("adv.main")).object).toBe("adv");

    await using proxy = new PyroProxy(`PYRONAME:adv.main@127.0.0.1:${nsPort}`);
    const items = await proxy.$call("gen", [3]);
    expect(items).toBeInstanceOf(RemoteIterator);
    const seen: unknown[] = [];
    for await (const item of items as RemoteIterator) seen.push(item);
    expect(seen).toEqual([0, 1, 2]);

    const results = await proxy.$batch().call("echo", [1]).call("whoami").send();
    expect(results).toBeInstanceOf(BatchResultList);
    expect([...results]).toEqual([1, "adv"]);

    const future = proxy.$async.call("echo", ["async"]);
    expect(future).toBeInstanceOf(Future);
    expect(await future).toBe("async");
  });
});
