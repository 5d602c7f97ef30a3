/**
 * What a generated module's descriptor can ask of `createClient`, against the types zoo's
 * live daemon: skipped (`undefined`) arguments, result checks (`--validate`) in every call
 * form, returned proxies as typed clients, and the serializer the types were made for.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createClient, kwargs, type ClientDescriptor } from "../../src/runtime/client.js";
import { PyroError } from "../../src/runtime/errors.js";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { PythonProcesses } from "../harness/python.js";

const python = new PythonProcesses();
let uri = "";
beforeAll(async () => {
  uri = (await python.startFixture<{ uri: string }>("codegen/zoo/server.py")).info.uri;
});
afterAll(() => python.stopAll());

type Member = (...args: unknown[]) => Promise<unknown>;
type Zoo = Record<string, Member>;

const zoo = (extra: Partial<ClientDescriptor> = {}): ClientDescriptor => ({
  pyrogenVersion: "test",
  methods: ["an_int", "count_up", "counter", "defaults", "pair", "song"],
  oneway: [],
  attrs: ["label"],
  ...extra,
});

async function failure(promise: Promise<unknown>): Promise<PyroError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PyroError) return error;
    throw error;
  }
  throw new Error("expected a rejection");
}

describe("arguments left undefined", () => {
  it("are left out at the end, so Python uses their defaults", async () => {
    const client = createClient<Zoo>(zoo(), { uri });
    expect(await client.defaults!("a", undefined, undefined)).toBe("a-a");
    expect(await client.defaults!("a", 3, undefined, kwargs({ sep: "+" }))).toBe("a+a+a");
    client.$release();
  });

  it("before a given argument: skipped when the module knows Python's names", async () => {
    const named = createClient<Zoo>(zoo({ parameters: { defaults: ["name", "times", "sep"] } }), {
      uri,
    });
    expect(await named.defaults!("a", undefined, "+")).toBe("a+a");
    named.$release();
    // Without the names the hole is sent as None, which this method cannot take.
    const unnamed = createClient<Zoo>(zoo(), { uri });
    const error = await failure(unnamed.defaults!("a", undefined, "+"));
    expect(error.remote?.type).toBe("builtins.TypeError");
    // null is None on purpose, either way.
    expect((await failure(unnamed.defaults!("a", null))).remote?.type).toBe("builtins.TypeError");
    unnamed.$release();
  });
});

describe("result checks (--validate)", () => {
  const lying = zoo({
    checks: {
      an_int: { value: z.string() },
      song: { value: z.object({ title: z.string(), seconds: z.string() }) },
      count_up: { value: z.unknown(), items: z.string() },
      label: { value: z.int() },
      pair: { value: z.tuple([z.int(), z.string()]) },
    },
  });

  it("reject a result that does not match, naming the member, the path, what was expected and what came", async () => {
    const client = createClient<Zoo>(lying, { uri });
    const error = await failure(client.song!());
    expect(error.code).toBe("validation");
    expect(error.message).toBe(
      'remote method "song" does not match its generated type: at .seconds: Invalid input: ' +
        "expected string, received number. The server's code and the generated module differ: " +
        "regenerate the module, or fix the server",
    );
    expect((await failure(client.an_int!(1))).message).toMatch(
      /^remote method "an_int" .*expected string, received number/,
    );
    expect((await failure(client.label as unknown as Promise<unknown>)).message).toMatch(
      /^remote attribute "label" .*expected number, received string/,
    );
    // A result that matches passes unchanged.
    expect(await client.pair!()).toEqual([1, "one"]);
    client.$release();
  });

  it("check every item of a streamed result as it arrives, and in batches and futures", async () => {
    const client = createClient<Zoo>(lying, { uri });
    const items: unknown[] = [];
    const iterating = (async () => {
      for await (const item of (await client.count_up!(3)) as AsyncIterable<unknown>)
        items.push(item);
    })();
    expect((await failure(iterating)).message).toMatch(
      /'s result, item 0 does not match .*expected string, received number/,
    );
    expect(items).toEqual([]);
    const batch = (
      client as unknown as { $batch: (b: (x: Zoo) => unknown[]) => Promise<unknown[]> }
    ).$batch;
    expect((await failure(batch((b) => [b.pair!(), b.an_int!(2)]))).code).toBe("validation");
    const future = (client as unknown as { $async: Zoo }).$async.an_int!(1) as unknown as {
      value: Promise<unknown>;
    };
    expect((await failure(future.value)).code).toBe("validation");
    client.$release();
  });
});

describe("returned proxies", () => {
  const counter: ClientDescriptor = {
    pyrogenVersion: "test",
    methods: ["increment"],
    oneway: [],
    attrs: ["value"],
  };

  it("arrive as typed clients of the returned object's descriptor, in every call form", async () => {
    const client = createClient<Zoo>(zoo({ clients: { counter: () => counter } }), { uri });
    const made = (await client.counter!(5)) as Zoo & { $proxy: PyroProxy; $release(): void };
    expect(made.$proxy).toBeInstanceOf(PyroProxy);
    expect(await made.increment!(2)).toBe(7);
    made.$release();
    const [batched] = (await (
      client as unknown as {
        $batch: (b: (x: Zoo) => unknown[]) => Promise<unknown[]>;
      }
    ).$batch((b) => [b.counter!(1)])) as [Zoo & { $release(): void }];
    expect(await batched.increment!(1)).toBe(2);
    batched.$release();
    client.$release();
    // Without the descriptor entry, a plain PyroProxy arrives.
    const plain = createClient<Zoo>(zoo(), { uri });
    const proxy = await plain.counter!(1);
    expect(proxy).toBeInstanceOf(PyroProxy);
    (proxy as PyroProxy).$release();
    plain.$release();
  });
});

describe("the serializer the types were made for", () => {
  it("is the client's serializer unless its options name another", () => {
    const json = createClient<Zoo>(zoo({ serializer: "json" }), { uri });
    expect(json.$proxy.$serializer).toBe("json");
    const msgpack = createClient<Zoo>(zoo({ serializer: "json" }), { uri, serializer: "msgpack" });
    expect(msgpack.$proxy.$serializer).toBe("msgpack");
  });

  it("without a URI in the descriptor or the options, says to pass one", () => {
    expect(() => createClient<Zoo>(zoo())).toThrow(
      /no URI for the client: the module was generated without one, so pass the object's URI/,
    );
  });
});
