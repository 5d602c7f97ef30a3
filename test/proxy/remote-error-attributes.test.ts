/**
 * Remote exception attributes are own data properties of a plain object, whatever their
 * names: a `__proto__` attribute sent by a daemon never becomes the object's prototype.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { failure } from "../harness/failures.js";
import { startHardening, type HardeningInfo } from "../harness/hardening.js";
import { PythonProcesses } from "../harness/python.js";
import { SERIALIZERS } from "./lab.js";

const python = new PythonProcesses();
let daemon: HardeningInfo;
beforeAll(async () => {
  daemon = await startHardening(python);
});
afterAll(() => python.stopAll());

describe.each(SERIALIZERS)("remote exception attributes with %s", (serializer) => {
  it("a '__proto__' attribute is an own property, never the prototype", async () => {
    await using proxy = new PyroProxy(daemon.uri, { serializer });
    const error = await failure(proxy.$call("fail_proto"));
    expect(error.remote?.type).toBe("builtins.ValueError");
    const attributes = error.remote!.attributes;
    expect(Object.getPrototypeOf(attributes)).toBe(Object.prototype);
    expect(Object.hasOwn(attributes, "__proto__")).toBe(true);
    expect(Object.getOwnPropertyDescriptor(attributes, "__proto__")?.value).toEqual({
      polluted: true,
    });
    expect((attributes as { polluted?: unknown }).polluted).toBeUndefined();
    expect(attributes["plain"]).toBe("kept");
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });
});
