import { describe, expect, it } from "vitest";
import { PythonProcesses } from "../harness/python.js";
import { Proxy } from "../../src/runtime/proxy.js";
import { SERIALIZERS, useLab } from "./lab.js";

const python = new PythonProcesses();
const lab = useLab(python);

describe.each(SERIALIZERS)("one proxy, many callers, with %s", (serializer) => {
  it("never mixes up results", async () => {
    await using proxy = new Proxy(lab.uri, { serializer });
    const inputs = Array.from({ length: 300 }, (_, i) => ({ i, text: `caller-${i}` }));
    const results = await Promise.all(
      inputs.map((input) => proxy.$call("echo", [input]).then((value) => [input, value])),
    );
    for (const [input, value] of results) expect(value).toEqual(input);
  });

  it("pipelines: later requests are on the wire before the first reply", async () => {
    await using proxy = new Proxy(lab.uri, { serializer });
    await proxy.$bind();
    // queued_after sleeps, then counts the requests already waiting on its connection.
    const first = proxy.$call("queued_after", [0.4]);
    const rest = Array.from({ length: 5 }, (_, i) => proxy.$call("echo", [i]));
    expect(await first).toBe(5);
    expect(await Promise.all(rest)).toEqual([0, 1, 2, 3, 4]);
  });

  it("shares one lazy connect among concurrent first calls", async () => {
    await using proxy = new Proxy(lab.uri, { serializer });
    const ids = await Promise.all(Array.from({ length: 20 }, () => proxy.$call("connection")));
    expect(new Set(ids).size).toBe(1);
    await using other = new Proxy(lab.uri, { serializer });
    expect(await other.$call("connection")).not.toBe(ids[0]);
    expect(proxy.$connected).toBe(true);
  });
});
