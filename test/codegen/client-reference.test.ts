/**
 * A config `returns` that names another generated module's client: the schema accepts only
 * a relative `.js` module path and a PascalCase type name, and the module imports each
 * named module once under a plain-identifier alias, types the method's result as that
 * module's client and tells the runtime (descriptor `clients`) to wrap the received proxy.
 */
import { describe, expect, it } from "vitest";
import { emitModule } from "../../src/codegen/emit.js";
import { buildModel } from "../../src/codegen/model.js";
import { clientReferenceSchema, typeOverridesSchema } from "../../src/codegen/overrides.js";

const metadata = {
  methods: ["cart", "other_cart", "counter", "fire", "plain"],
  oneway: ["fire"],
  attrs: [],
};

async function emit(types: unknown): Promise<string> {
  const model = buildModel(
    metadata,
    { typeName: "Shop", uri: "PYRO:shop@127.0.0.1:9999", types: typeOverridesSchema.parse(types) },
    "0.0.0-test",
  );
  return emitModule(model);
}

describe("returns naming a generated module's client", () => {
  it("imports each module once, types the result and adds the descriptor's clients", async () => {
    const code = await emit({
      methods: {
        cart: { returns: { module: "./cart.js", client: "Cart" } },
        other_cart: { params: [], returns: { module: "./cart.js", client: "Cart" } },
        counter: { returns: { module: "../lib/counter-v2.js", client: "Counter" } },
        plain: { returns: "string" },
      },
    });
    expect(code.match(/import \* as cartModule from "\.\/cart\.js";/g)).toHaveLength(1);
    expect(code).toContain('import * as counterV2Module from "../lib/counter-v2.js";');
    expect(code).toContain("cart(...args: unknown[]): Promise<cartModule.CartClient>;");
    expect(code).toContain("other_cart(): Promise<cartModule.CartClient>;");
    expect(code).toContain("Promise<counterV2Module.CounterClient>");
    expect(code).toContain("plain(...args: unknown[]): Promise<string>;");
    expect(code).toMatch(/cart: \(\) => cartModule\.CartDescriptor/);
    expect(code).toMatch(/counter: \(\) => counterV2Module\.CounterDescriptor/);
    // The same input gives the same module.
    expect(
      await emit({ methods: { cart: { returns: { module: "./cart.js", client: "Cart" } } } }),
    ).toBe(await emit({ methods: { cart: { returns: { module: "./cart.js", client: "Cart" } } } }));
  });

  it("two modules with the same file name get numbered aliases", async () => {
    const code = await emit({
      methods: {
        cart: { returns: { module: "./a/cart.js", client: "Cart" } },
        other_cart: { returns: { module: "./b/cart.js", client: "Cart" } },
      },
    });
    expect(code).toContain('import * as cartModule from "./a/cart.js";');
    expect(code).toContain('import * as cartModule2 from "./b/cart.js";');
    expect(code).toContain("Promise<cartModule2.CartClient>");
  });

  it("a oneway method stays void and gets no clients entry", async () => {
    const code = await emit({
      methods: { fire: { returns: { module: "./cart.js", client: "Cart" } } },
    });
    expect(code).toContain("fire(...args: unknown[]): Promise<void>;");
    expect(code).not.toContain("clients:");
  });

  it("refuses module paths and names that could inject code", () => {
    const bad = [
      { module: "cart.js", client: "Cart" },
      { module: "./cart", client: "Cart" },
      { module: './cart.js"; process.exit(); "', client: "Cart" },
      { module: "./cart.js", client: "cart" },
      { module: "./cart.js", client: "Cart; declare const x: 1" },
      { module: "./cart.js", client: "Cart", extra: true },
    ];
    for (const reference of bad) {
      expect(clientReferenceSchema.safeParse(reference).success, JSON.stringify(reference)).toBe(
        false,
      );
    }
    expect(
      clientReferenceSchema.safeParse({ module: "../x/cart.js", client: "Cart" }).success,
    ).toBe(true);
  });
});
