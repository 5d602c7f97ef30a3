import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type ClientDescriptor } from "../../src/runtime/client.js";
import { PyroError } from "../../src/runtime/errors.js";
import { Future } from "../../src/runtime/future.js";
import { eventually, startAdvanced } from "../harness/advanced.js";
import { GENERATIONS } from "../harness/generations.js";
import { PythonProcesses } from "../harness/python.js";

/** What a generated module would declare for the fixture's `Advanced` object. */
interface Advanced {
  echo(x: number): Promise<number>;
  fail(message: string): Promise<never>;
  slow(seconds: number, value: string): Promise<string>;
  whoami(): Promise<string>;
  gen(n: number): Promise<AsyncIterable<number>>;
  gen_none(): Promise<AsyncIterable<number | null>>;
  infinite(): Promise<AsyncIterable<number>>;
  plain_list(n: number): Promise<number[]>;
  open_streams(): Promise<number>;
}

const python = new PythonProcesses();
afterAll(() => python.stopAll());

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const seen: T[] = [];
  for await (const item of items) seen.push(item);
  return seen;
}

describe.each(GENERATIONS)(
  "batches, futures and iterators through the typed client facade, $name",
  (generation) => {
    let descriptor: ClientDescriptor;
    beforeAll(async () => {
      const { info } = await startAdvanced(python, { generation: generation.protocol });
      descriptor = {
        pyrogenVersion: "test",
        uri: info.uri,
        methods: [
          "echo",
          "fail",
          "slow",
          "whoami",
          "gen",
          "gen_none",
          "infinite",
          "plain_list",
          "open_streams",
        ],
        oneway: [],
        attrs: [],
      };
    });

    it("$iter streams a generator and iterates a returned plain list the same way", async () => {
      await using client = createClient<Advanced>(descriptor);
      expect(await collect(client.$iter.gen(4))).toEqual([0, 1, 2, 3]);
      expect(await collect(client.$iter.plain_list(3))).toEqual([0, 1, 2]);
      expect(await collect(client.$iter.gen_none())).toEqual([1, null, 3, null]);
      expect(client.$proxy.$protocol).toBe(generation.protocol);
    });

    it("break in $iter closes the remote stream", async () => {
      await using client = createClient<Advanced>(descriptor);
      const base = await client.open_streams();
      for await (const item of client.$iter.infinite()) {
        if (item >= 2) break;
      }
      expect(
        await eventually(
          () => client.open_streams(),
          (n) => n === base,
        ),
      ).toBe(base);
    });

    it("$batch gives a typed tuple; an exception in the middle rejects with that error", async () => {
      await using client = createClient<Advanced>(descriptor);
      const [a, b] = await client.$batch((batch) => [batch.echo(1), batch.whoami()]);
      expect(a + 1).toBe(2);
      expect(b.toUpperCase()).toBe("ADV");
      const error = await client
        .$batch((batch) => [batch.echo(1), batch.fail("in the middle"), batch.echo(3)])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PyroError);
      expect((error as PyroError).message).toContain("in the middle");
    });

    it("$async returns Futures", async () => {
      await using client = createClient<Advanced>(descriptor);
      const future = client.$async.slow(0.01, "later");
      expect(future).toBeInstanceOf(Future);
      expect(await future.then((v) => v.length).value).toBe(5);
    });
  },
);
