import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectGarbage } from "../harness/bounds.js";
import { PythonProcesses } from "../harness/python.js";
import { GENERATIONS } from "../harness/generations.js";
import { medianMs } from "../harness/latency.js";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { SERIALIZERS, startLab, useLab } from "./lab.js";

const python = new PythonProcesses();
const lab = useLab(python);

describe.each(SERIALIZERS)("one proxy, many callers, with %s", (serializer) => {
  it("never mixes up results", async () => {
    await using proxy = new PyroProxy(lab.uri, { serializer });
    const inputs = Array.from({ length: 300 }, (_, i) => ({ i, text: `caller-${i}` }));
    const results = await Promise.all(
      inputs.map((input) => proxy.$call("echo", [input]).then((value) => [input, value])),
    );
    for (const [input, value] of results) expect(value).toEqual(input);
  });

  it("never mixes up large arguments, sent one by one or all at once", async () => {
    await using proxy = new PyroProxy(lab.uri, { serializer });
    // From 64 KiB on, an argument is written from the encoder's memory, which a later call
    // reuses once the write is done. Megabytes sent at once outrun the socket's buffers, so
    // a reuse that came too early would corrupt what is still being written.
    const big = (i: number, size: number): unknown =>
      serializer === "json" || i % 2 === 0
        ? `${i}:`.padEnd(size + i * 1000, String.fromCharCode(0x61 + i, 0xe9))
        : new Uint8Array(size + i * 1000).fill(i + 1);
    // Compared natively: a deep equality walk of megabyte arrays would take seconds.
    const same = (result: unknown, input: unknown): boolean =>
      input instanceof Uint8Array
        ? result instanceof Uint8Array && Buffer.compare(result, input) === 0
        : result === input;
    for (let i = 0; i < 6; i++) {
      const input = big(i, 100_000);
      expect(same(await proxy.$call("echo", [input]), input)).toBe(true);
    }
    const mixed = Array.from({ length: 8 }, (_, i) => [big(i, 1 << 20), `small ${i}`]).flat();
    const results = await Promise.all(mixed.map((input) => proxy.$call("echo", [input])));
    expect(results.map((result, i) => same(result, mixed[i]))).toEqual(mixed.map(() => true));
  });

  it("keeps large bytes results whole while later large replies reuse the reply memory", async () => {
    await using proxy = new PyroProxy(lab.uri, { serializer });
    // A large reply decoded into copies (a str) leaves its memory to the next large reply; a
    // large bytes result is a view of its reply's memory (except in serpent, base64), which
    // must never be read into again. json has no bytes: strs only.
    const text = (i: number): string => `${i}:`.padEnd(300_000, String.fromCharCode(0x61 + i));
    const bytes = (i: number): Uint8Array => new Uint8Array(300_000 + i).fill(i + 1);
    const held: { result: unknown; input: string | [Uint8Array, string] }[] = [];
    for (let i = 0; i < 8; i++) {
      const input: string | [Uint8Array, string] =
        serializer !== "json" && i % 3 === 0 ? [bytes(i), `item ${i}`] : text(i);
      held.push({ result: await proxy.$call("echo", [input]), input });
    }
    for (const { result, input } of held) {
      if (typeof input === "string") {
        expect(result === input).toBe(true);
      } else {
        const [value, label] = result as [Uint8Array, string];
        expect([Buffer.compare(value, input[0]), label]).toEqual([0, input[1]]);
      }
    }
  });

  it("reads large str replies into the same memory, not new memory each", async () => {
    await using proxy = new PyroProxy(lab.uri, { serializer });
    const text = "a line of text for the echo\n".repeat(37_000); // ~1 MiB
    for (let i = 0; i < 3; i++) await proxy.$call("echo", [text]);
    collectGarbage();
    const before = process.memoryUsage().arrayBuffers;
    // 12 replies of ~1 MiB: 12 MiB more outside the heap if each had new memory (too little
    // for V8 to collect on its own).
    for (let i = 0; i < 12; i++) expect((await proxy.$call("echo", [text])) === text).toBe(true);
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(grown).toBeLessThan(4 * 1024 * 1024);
  });

  it("pipelines: later requests are on the wire before the first reply", async () => {
    await using proxy = new PyroProxy(lab.uri, { serializer });
    await proxy.$bind();
    // queued_after sleeps, then counts the requests already waiting on its connection.
    const first = proxy.$call("queued_after", [0.4]);
    const rest = Array.from({ length: 5 }, (_, i) => proxy.$call("echo", [i]));
    expect(await first).toBe(5);
    expect(await Promise.all(rest)).toEqual([0, 1, 2, 3, 4]);
  });

  it("shares one lazy connect among concurrent first calls", async () => {
    await using proxy = new PyroProxy(lab.uri, { serializer });
    const ids = await Promise.all(Array.from({ length: 20 }, () => proxy.$call("connection")));
    expect(new Set(ids).size).toBe(1);
    await using other = new PyroProxy(lab.uri, { serializer });
    expect(await other.$call("connection")).not.toBe(ids[0]);
    expect(proxy.$connected).toBe(true);
  });
});

describe.each(GENERATIONS)("a burst of calls on one proxy, against a %s daemon", (generation) => {
  const own = new PythonProcesses();
  let uri = "";
  beforeAll(async () => {
    uri = (await startLab(own, [], {}, generation)).uri;
  });
  afterAll(() => own.stopAll());

  it("is not held back by the daemon's Nagle algorithm: no ~40 ms wait for its last reply", async () => {
    // Python daemons leave Nagle on (SOCK_NODELAY is False): a reply is held while the one
    // before it is unacknowledged, and this end would acknowledge it 40 ms or more later.
    // A latency regression test: the median of 9 bursts, against a bound far from both.
    await using proxy = new PyroProxy(uri, { serializer: "marshal" });
    await proxy.$bind();
    const median = await medianMs(9, async (round) => {
      const results = await Promise.all([
        proxy.$call("echo", [round]),
        proxy.$call("echo", [`burst ${round}`]),
      ]);
      expect(results).toEqual([round, `burst ${round}`]);
    });
    expect(median).toBeLessThan(20);
  });
});
