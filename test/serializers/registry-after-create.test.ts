/**
 * Class hooks registered on a registry after a proxy was created with it apply to that
 * proxy: the proxy keeps its own hooks (for received proxies) on top of the user's registry,
 * which it reads live instead of copying.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { pyro4Dialect } from "../../src/runtime/protocol-pyro4/dialect.js";
import { ClassRegistry } from "../../src/runtime/serializers/class-registry.js";
import { startHardening, type HardeningInfo } from "../harness/hardening.js";
import { PythonProcesses } from "../harness/python.js";
import { SERIALIZERS } from "../proxy/lab.js";

const python = new PythonProcesses();
let daemon: HardeningInfo;
beforeAll(async () => {
  daemon = await startHardening(python);
});
afterAll(() => python.stopAll());

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
}

describe.each(SERIALIZERS.filter((name) => name !== "marshal"))(
  "hooks registered after the proxy was created, %s",
  (serializer) => {
    it("a dict-to-class hook added later revives the daemon's class dicts", async () => {
      const registry = new ClassRegistry();
      await using proxy = new PyroProxy(daemon.uri, { serializer, registry });
      const before = await proxy.$call("point", [1, 2]);
      expect(before).toMatchObject({ __class__: "fixture.Point", x: 1, y: 2 });
      registry.registerDictToClass(
        "fixture.Point",
        (dict) => new Point(dict["x"] as number, dict["y"] as number),
      );
      const after = await proxy.$call("point", [3, 4]);
      expect(after).toBeInstanceOf(Point);
      expect(after).toEqual(new Point(3, 4));
      registry.unregisterDictToClass("fixture.Point");
      expect(await proxy.$call("point", [5, 6])).not.toBeInstanceOf(Point);
    });

    it("a class-to-dict hook added later serializes the class", async () => {
      const registry = pyro4Dialect.createRegistry();
      await using proxy = new PyroProxy(daemon.uri, { serializer, registry });
      const refused = await proxy.$call("echo", [new Point(1, 2)]).catch((error: unknown) => error);
      expect((refused as Error).message).toMatch(/don't know how to serialize class Point/);
      registry.registerClassToDict(Point, (value) => ({
        px: (value as Point).x,
        py: (value as Point).y,
      }));
      expect(await proxy.$call("echo", [new Point(7, 8)])).toEqual({ px: 7, py: 8 });
    });

    it("the proxy's own hooks stay its own: the user's registry gets none of them", async () => {
      const registry = new ClassRegistry();
      await using proxy = new PyroProxy(daemon.uri, { serializer, registry });
      await proxy.$bind();
      const dict = {
        __class__: "Pyro4.core.Proxy",
        state: [daemon.uri, [], ["echo"], [], 0, null, "hello", 0, null],
      };
      expect(registry.revive(dict)).toBe(dict);
    });
  },
);
