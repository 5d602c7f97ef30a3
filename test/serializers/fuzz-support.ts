/**
 * Shared machinery of the serializer fuzz tests: a seeded PRNG (runs are reproducible),
 * byte-level mutators, the decode check (a value or a `serialize` PyroError, nothing else),
 * and fast-check arbitraries of sendable values with what each serializer gives back.
 */
import fc from "fast-check";
import { expect, it } from "vitest";
import { PyroError } from "../../src/runtime/errors.js";
import type { Serializer, SerializerName } from "../../src/runtime/serializers/serializer.js";
import { PyComplex, PyFloat, PyTuple, complex, float, tuple } from "../../src/runtime/values.js";
import { runPython } from "../harness/python.js";
import { difference } from "./compare.js";
import { loadsCall } from "./codec-helpers.js";

/** A small deterministic PRNG (mulberry32). */
export class Random {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An int in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  bytes(length: number): Uint8Array {
    return Uint8Array.from({ length }, () => this.int(256));
  }
}

/** Counts of decoder runs by outcome. */
export class DecodeStats {
  cases = 0;
  values = 0;
  errors = 0;
}

/** Decode `data`; anything but a value or a `serialize` PyroError fails the test. */
export function decodeOnce(
  serializer: Serializer,
  data: Uint8Array,
  stats: DecodeStats,
  asCall = false,
): void {
  stats.cases++;
  try {
    if (asCall) loadsCall(serializer, data);
    else serializer.loads(data);
    stats.values++;
  } catch (error) {
    if (!(error instanceof PyroError) || error.code !== "serialize") {
      const hex = Buffer.from(data.subarray(0, 64)).toString("hex");
      expect.fail(`${serializer.name} threw ${String(error)} for input ${hex}`);
    }
    stats.errors++;
  }
}

/** 1-4 random edits: bit flips, byte sets, insertions, deletions, chunk copies, huge lengths. */
export function mutate(
  random: Random,
  input: Uint8Array,
  extraTokens: readonly Uint8Array[] = [],
): Uint8Array {
  let bytes = Array.from(input);
  const edits = 1 + random.int(4);
  for (let e = 0; e < edits; e++) {
    const at = random.int(bytes.length + 1);
    switch (random.int(extraTokens.length > 0 ? 8 : 7)) {
      case 0:
        if (bytes.length > 0) bytes[at % bytes.length]! ^= 1 << random.int(8);
        break;
      case 1:
        if (bytes.length > 0) bytes[at % bytes.length] = random.int(256);
        break;
      case 2:
        bytes.splice(at, 0, ...random.bytes(1 + random.int(4)));
        break;
      case 3:
        bytes.splice(at, 1 + random.int(4));
        break;
      case 4: {
        const from = random.int(bytes.length + 1);
        bytes.splice(at, 0, ...bytes.slice(from, from + 1 + random.int(16)));
        break;
      }
      case 5: {
        const huge = random.pick([
          [0xff, 0xff, 0xff, 0x7f],
          [0x7f, 0xff, 0xff, 0xff],
          [0xff, 0xff, 0xff, 0xff],
          [0x00, 0x00, 0x00, 0x80],
        ]);
        bytes.splice(at, Math.min(4, bytes.length - at), ...huge);
        break;
      }
      case 6:
        bytes = bytes.slice(0, at);
        break;
      default:
        bytes.splice(at, 0, ...random.pick(extraTokens));
    }
  }
  return Uint8Array.from(bytes);
}

/** Options for {@link sendable}. */
export interface SendableOptions {
  /** Allow strings with lone surrogates (json and marshal carry them). */
  loneSurrogates: boolean;
  /** Allow bytes and complex (marshal, msgpack). */
  binary: boolean;
  /** Allow Maps with int/tuple keys (marshal). */
  anyKeys: boolean;
}

/** Sendable values for a serializer, nested a few levels. */
export function sendable(options: SendableOptions): fc.Arbitrary<unknown> {
  const text = options.loneSurrogates
    ? fc.string({ unit: "binary" })
    : fc.string({ unit: "grapheme" });
  const leaves: fc.Arbitrary<unknown>[] = [
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.maxSafeInteger(),
    fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }),
    fc.double(),
    fc.double().map((v) => float(v)),
    text,
    fc.constantFrom(
      "__proto__",
      "__class__",
      "constructor",
      "NaN",
      "Infinity",
      "12345678901234567",
    ),
  ];
  if (options.binary) {
    leaves.push(fc.uint8Array({ maxLength: 40 }));
    leaves.push(fc.tuple(fc.double(), fc.double()).map(([re, im]) => complex(re, im)));
  }
  const leaf = fc.oneof(...leaves);
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      leaf,
      tie("array"),
      tie("dict"),
      tie("tuple"),
      tie("set"),
      tie("map"),
    ),
    array: fc.array(tie("value"), { maxLength: 5 }),
    tuple: fc.array(tie("value"), { maxLength: 4 }).map((items) => tuple(...items)),
    set: fc.array(fc.oneof(fc.integer(), text), { maxLength: 4 }).map((items) => new Set(items)),
    dict: fc.dictionary(text, tie("value"), { maxKeys: 5 }),
    map: options.anyKeys
      ? fc
          .uniqueArray(
            fc.tuple(
              fc.oneof(fc.integer(), text, fc.array(fc.integer(), { maxLength: 2 })),
              tie("value"),
            ),
            // Python merges equal keys, so keep them distinct by value.
            { maxLength: 4, selector: ([key]) => JSON.stringify(key) },
          )
          .map((entries) => new Map(entries))
      : fc.array(fc.tuple(text, tie("value")), { maxLength: 4 }).map((entries) => new Map(entries)),
  }));
  return value;
}

/** What `name`'s loads returns for the dumps of `value` under the shared value mapping. */
export function expectedBack(value: unknown, name: SerializerName): unknown {
  const back = (item: unknown): unknown => expectedBack(item, name);
  if (typeof value === "number") {
    if (Number.isInteger(value)) return Number.isSafeInteger(value) ? value + 0 : BigInt(value);
    return value;
  }
  if (typeof value === "bigint") {
    return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value;
  }
  if (typeof value !== "object" || value === null) return value;
  if (value instanceof PyFloat) return value.value;
  if (value instanceof PyComplex || value instanceof Uint8Array) return value;
  if (value instanceof PyTuple) return value.items.map(back);
  if (Array.isArray(value)) return value.map(back);
  if (value instanceof Set) {
    const items = [...(value as Set<unknown>)].map(back);
    return name === "marshal" ? new Set(items) : items;
  }
  if (value instanceof Map) {
    const entries = [...(value as Map<unknown, unknown>)].map(
      ([k, v]) => [back(k), back(v)] as const,
    );
    const allStr = entries.every(([k]) => typeof k === "string");
    if (allStr) return Object.fromEntries(entries);
    return new Map(entries);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    Object.defineProperty(out, k, {
      value: back(v),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** How many decoder cases of each kind {@link fuzzDecoder} runs. */
export interface FuzzPlan {
  random: number;
  mutated: number;
  /** Every prefix of every seed is tried too (counted separately). */
  seeds: readonly Uint8Array[];
  /** Extra byte strings that mutations may insert (e.g. JSON tokens). */
  tokens?: readonly Uint8Array[];
  /** Random inputs start with one of these bytes (valid type codes) half of the time. */
  leadBytes?: readonly number[];
}

/** Run random, truncated and mutated inputs through `loads` (and some through `loadsCall`). */
export function fuzzDecoder(serializer: Serializer, plan: FuzzPlan, seed: number): DecodeStats {
  const random = new Random(seed);
  const stats = new DecodeStats();
  // Stack capture dominates the cost of 100k expected errors; the outcome checks need none.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    runPlan(serializer, plan, random, stats);
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  return stats;
}

function runPlan(serializer: Serializer, plan: FuzzPlan, random: Random, stats: DecodeStats): void {
  for (let i = 0; i < plan.random; i++) {
    const data = random.bytes(random.int(48));
    if (plan.leadBytes !== undefined && data.length > 0 && random.int(2) === 0) {
      data[0] = random.pick(plan.leadBytes);
    }
    decodeOnce(serializer, data, stats, i % 10 === 0);
  }
  for (const seedPayload of plan.seeds) {
    for (let end = 0; end < seedPayload.length; end++) {
      decodeOnce(serializer, seedPayload.subarray(0, end), stats);
    }
  }
  for (let i = 0; i < plan.mutated; i++) {
    decodeOnce(
      serializer,
      mutate(random, random.pick(plan.seeds), plan.tokens),
      stats,
      i % 10 === 0,
    );
  }
}

/** True when no decoded payload managed to touch `Object.prototype`. */
export function prototypeIsClean(): boolean {
  return (
    Object.getOwnPropertyNames(Object.prototype).every((name) => name !== "polluted") &&
    Object.keys(Object.prototype).length === 0
  );
}

/**
 * Payloads Pyro4's own `name` serializer wrote: one per item of the Python list expression
 * `values` (evaluated after the `setup` lines; `datetime` is imported), then one INVOKE call.
 */
export function pythonSeeds(name: SerializerName, values: string, setup = ""): Uint8Array[] {
  const lines = runPython(
    "import datetime, Pyro4.util as u\n" +
      `s = u.get_serializer('${name}')\n` +
      setup +
      `values = ${values}\n` +
      "for v in values: print(s.dumps(v).hex())\n" +
      "print(s.dumpsCall('obj', 'm', [1, 'a'], {'k': [2]}).hex())",
  );
  return lines
    .trim()
    .split("\n")
    .map((line) => new Uint8Array(Buffer.from(line, "hex")));
}

/** What {@link fuzzTests} needs besides the serializer and its value generator. */
export interface FuzzTestPlan {
  /** Payloads Python wrote (see {@link pythonSeeds}); called inside the test. */
  readonly pythonSeeds: () => Uint8Array[];
  /** Case counts, tokens and lead bytes; the seeds are Python's plus sampled encodings. */
  readonly decoder: Omit<FuzzPlan, "seeds">;
  /** The PRNG seed of the decoder run. */
  readonly seed: number;
}

/**
 * The two property tests every binary/text codec gets: 1500 generated values round-trip
 * through `dumps`/`loads` as {@link expectedBack} says, and 100k+ random, truncated and
 * mutated inputs decode to a value or a `serialize` error, with both outcomes frequent and
 * `Object.prototype` untouched. Call inside a `describe`.
 */
export function fuzzTests(
  serializer: Serializer,
  values: fc.Arbitrary<unknown>,
  plan: FuzzTestPlan,
): void {
  it("round-trips generated values through dumps and loads", () => {
    fc.assert(
      fc.property(values, (value) => {
        const back = serializer.loads(serializer.dumps(value));
        expect(difference(back, expectedBack(value, serializer.name))).toBeNull();
      }),
      { numRuns: 1500, seed: 20261125 },
    );
  });

  it("decodes 100k+ random, truncated and mutated inputs to a value or a serialize error", () => {
    const seeds = [
      ...plan.pythonSeeds(),
      ...fc
        .sample(values, { numRuns: 120, seed: 7 })
        .map((value) => serializer.dumps(value))
        .filter((payload) => payload.length <= 400),
    ];
    const stats = fuzzDecoder(serializer, { ...plan.decoder, seeds }, plan.seed);
    expect(stats.cases).toBeGreaterThanOrEqual(100_000);
    expect(stats.values).toBeGreaterThan(1000);
    expect(stats.errors).toBeGreaterThan(1000);
    expect(prototypeIsClean()).toBe(true);
  }, 60_000);
}
