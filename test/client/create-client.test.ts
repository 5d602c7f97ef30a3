/**
 * The runtime's typed facade, `createClient`, used directly (without a generated module)
 * against the music-server example: members, kwargs, attributes, batches, async calls,
 * iterators, the names it refuses, and its errors.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, kwargs, type ClientDescriptor } from "../../src/runtime/client.js";
import { PyroError } from "../../src/runtime/errors.js";
import { PythonProcesses } from "../harness/python.js";

interface Music {
  play(song: string, options?: ReturnType<typeof kwargs<{ loop?: boolean }>>): Promise<string>;
  current_song(): Promise<string | null>;
  list_songs(): Promise<string[]>;
  songs(limit?: number): Promise<AsyncIterable<string>>;
  stop(): Promise<void>;
  stop_count(): Promise<number>;
  fail(reason: string): Promise<never>;
  readonly volume: Promise<number>;
}

const descriptor: ClientDescriptor = Object.freeze({
  pyrogenVersion: "test",
  uri: "PYRO:unused@127.0.0.1:1",
  methods: [
    "current_song",
    "fail",
    "list_songs",
    "play",
    "songs",
    "stop",
    "stop_count",
    "then",
    "$x",
  ],
  oneway: ["stop"],
  attrs: ["volume"],
});

const python = new PythonProcesses();
let uri = "";
beforeAll(async () => {
  uri = (await python.startFixture<{ uri: string }>("musicserver/server.py")).info.uri;
});
afterAll(() => python.stopAll());

describe("createClient", () => {
  it("builds an object with no inherited members, one member per name, minus reserved names", () => {
    const client = createClient<Music>(descriptor, { uri });
    // Its prototype marks it as a client (so it travels as its proxy) and has no members.
    expect(Object.getPrototypeOf(Object.getPrototypeOf(client))).toBe(null);
    expect(Object.getOwnPropertyNames(Object.getPrototypeOf(client))).toEqual(["constructor"]);
    expect(Object.keys(client)).toEqual(
      expect.arrayContaining([
        "play",
        "current_song",
        "volume",
        "$batch",
        "$async",
        "$iter",
        "$set",
      ]),
    );
    expect("then" in client).toBe(false);
    expect("$x" in client).toBe(false);
    expect(typeof client[Symbol.asyncDispose]).toBe("function");
    client.$release();
  });

  it("calls methods with positional and keyword arguments and reads/writes attributes", async () => {
    const client = createClient<Music>(descriptor, { uri, serializer: "json" });
    try {
      expect(await client.play("Creep", kwargs({ loop: true }))).toBe("playing Creep (looped)");
      expect(await client.current_song()).toBe("Creep");
      await client.$set("volume", 3);
      expect(await client.volume).toBe(3);
      expect(await client.$get("volume")).toBe(3);
      expect(await client.stop()).toBeUndefined();
    } finally {
      client.$release();
    }
  });

  it("types batch results by position and rejects with the failing call's remote error", async () => {
    const client = createClient<Music>(descriptor, { uri });
    try {
      const [played, current] = await client.$batch((b) => [b.play("Zombie"), b.current_song()]);
      expect([played, current]).toEqual(["playing Zombie", "Zombie"]);
      expect(await client.$batch(() => [])).toEqual([]);
      const failed = client.$batch((b) => [
        b.play("Zombie"),
        b.fail("in a batch"),
        b.current_song(),
      ]);
      await expect(failed).rejects.toMatchObject({
        code: "remote",
        message: "in a batch",
        pythonType: "__main__.PlaybackError",
      });
      await expect(client.$batch(() => ["not a call"] as unknown as [])).rejects.toThrow(
        "$batch: the callback must return calls made on its argument",
      );
    } finally {
      client.$release();
    }
  });

  it("runs async calls as futures and iterates generators and lists", async () => {
    const client = createClient<Music>(descriptor, { uri });
    try {
      const future = client.$async.list_songs();
      expect(await future.value).toHaveLength(4);
      const streamed: string[] = [];
      for await (const song of client.$iter.songs(3)) streamed.push(song);
      expect(streamed).toEqual(["Smells Like Teen Spirit", "Wonderwall", "Zombie"]);
      const listed: string[] = [];
      for await (const song of client.$iter.list_songs()) listed.push(song);
      expect(listed).toHaveLength(4);
      const notIterable = async () => {
        for await (const item of client.$iter.stop_count()) void item;
      };
      await expect(notIterable()).rejects.toThrow(
        "remote method 'stop_count' returned number, not a generator, list or set",
      );
      await expect(client.fail("x")).rejects.toBeInstanceOf(PyroError);
    } finally {
      client.$release();
    }
  });
});
