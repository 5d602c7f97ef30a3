/**
 * TypeScript objects the daemon tests serve to real Python Pyro4 clients, with the
 * exposure they declare (registration API; the decorator syntax has its own test).
 */
import type { ExposeSpec } from "../../src/runtime/daemon/expose.js";
import type { Kwargs } from "../../src/runtime/kwargs.js";

/** A Python-style exception raised from TypeScript: `name` picks the Python builtin. */
export class ValueError extends Error {
  override readonly name = "ValueError";
}

/** The object `fixtures/callback_client.py` calls. */
export class Calculator {
  #counter = 0;
  readonly #notes: string[] = [];

  echo(value: unknown): unknown {
    return value;
  }

  add(a: number, b: number): number {
    return a + b;
  }

  /** Python's `greet("pyro", greeting="hi")` passes its keyword arguments as a `Kwargs`. */
  greet(name: string, options?: Kwargs<{ greeting?: string }>): string {
    return `${options?.values.greeting ?? "hello"} ${name}`;
  }

  async slow(x: number): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, 5));
    return x * 2;
  }

  fail(message: string, code: number): never {
    throw Object.assign(new ValueError(message), { code });
  }

  broken(): never {
    throw new TypeError("not a function");
  }

  *count(n: number): Generator<number> {
    for (let i = 0; i < n; i++) yield i;
  }

  async *acount(n: number): AsyncGenerator<string> {
    for (let i = 0; i < n; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      yield `item ${i}`;
    }
  }

  *failing_generator(): Generator<number> {
    yield 1;
    throw new RangeError("generator broke");
  }

  notify(note: string): void {
    this.#notes.push(note);
  }

  notified(): string[] {
    return [...this.#notes];
  }

  get counter(): number {
    return this.#counter;
  }

  set counter(value: number) {
    this.#counter = value;
  }

  get label(): string {
    return "calculator";
  }

  hidden(): string {
    return "not exposed";
  }

  _secret(): string {
    return "never exposed";
  }
}

/** What {@link Calculator} exposes. */
export const CALCULATOR_EXPOSE: ExposeSpec = {
  methods: [
    "echo",
    "add",
    "greet",
    "slow",
    "fail",
    "broken",
    "count",
    "acount",
    "failing_generator",
    "notified",
  ],
  oneway: ["notify"],
  attrs: ["counter", "label"],
};
