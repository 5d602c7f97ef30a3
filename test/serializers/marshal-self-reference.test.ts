/**
 * A marshal back-reference may point at a container that is still being read (Python's
 * marshal writes one for a list that contains itself). Such a value would contain itself,
 * which pyrogen refuses for every serializer: a `serialize` error, never a cyclic value.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { MarshalSerializer } from "../../src/runtime/serializers/marshal.js";
import { failure } from "../harness/failures.js";
import { startHardening, type HardeningInfo } from "../harness/hardening.js";
import { PythonProcesses, runPython } from "../harness/python.js";
import { hex, serializeError } from "./codec-helpers.js";

const marshal = new MarshalSerializer();
const python = new PythonProcesses();
let daemon: HardeningInfo;
beforeAll(async () => {
  daemon = await startHardening(python);
});
afterAll(() => python.stopAll());

describe("marshal values that would contain themselves", () => {
  it("a list that contains itself, as CPython's marshal writes it, is refused", () => {
    const bytes = runPython(
      "import marshal,sys\nl = []\nl.append(l)\nsys.stdout.write(marshal.dumps(l).hex(' '))",
    );
    expect(bytes).toBe("db 01 00 00 00 72 00 00 00 00");
    const error = serializeError(() => marshal.loads(hex(bytes)));
    expect(error.message).toMatch(/still being read \(a value that would contain itself\)/);
  });

  it.each([
    ["a tuple", "a9 01 72 00 00 00 00"],
    ["a set", "bc 01 00 00 00 72 00 00 00 00"],
    ["a list inside a dict inside the list", "db 01 00 00 00 7b da 01 6b 72 00 00 00 00 30"],
  ])("%s that contains itself is refused", (_, bytes) => {
    expect(serializeError(() => marshal.loads(hex(bytes))).message).toMatch(/contain itself/);
  });

  it("a value referenced twice (not inside itself) is still shared", () => {
    const bytes = runPython(
      "import marshal,sys\na = [1]\nsys.stdout.write(marshal.dumps([a, a]).hex(' '))",
    );
    expect(bytes).toContain("72");
    const value = marshal.loads(hex(bytes)) as unknown[][];
    expect(value).toEqual([[1], [1]]);
    expect(value[0]).toBe(value[1]);
  });

  it("a Pyro4 daemon's self-containing reply fails the call with a serialize error", async () => {
    await using proxy = new PyroProxy(daemon.uri, { serializer: "marshal" });
    const error = await failure(proxy.$call("self_containing"));
    expect(error.code).toBe("serialize");
    expect(error.message).toMatch(/contain itself/);
    expect(await proxy.$call("echo", ["next call reconnects"])).toBe("next call reconnects");
  });
});
