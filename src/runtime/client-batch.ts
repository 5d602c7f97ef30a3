/**
 * `client.$batch` and its forms: calls recorded on a batch variant of the client travel in
 * one message (proxy `$batch()`), and their results come back typed, position by position.
 */
import { BatchCall, type ClientCallOptions } from "./client-types.js";
import { atCaller, atCallSite, captureCallSite, PyroError } from "./errors.js";
import { Future } from "./future.js";
import type { PyroProxy } from "./proxy.js";

/** Positional and keyword arguments of a member's call, split as the client sends them. */
export type Split = (
  name: string,
  args: readonly unknown[],
) => [unknown[], Record<string, unknown> | undefined];

/** Which `$batch` form: see `BatchMethod` in client-types.ts. */
export type BatchForm = "results" | "settled" | "async" | "oneway";

/** Run one batch that `build` records, in `form`, with the view's call options. */
export function runBatch(
  proxy: PyroProxy,
  methods: readonly string[],
  build: (batch: object) => readonly unknown[],
  receivers: ReadonlyMap<string, (value: unknown) => Promise<unknown>>,
  split: Split,
  scope: ClientCallOptions,
  form: BatchForm,
): unknown {
  const batch = proxy.$batch();
  let recorded = 0;
  const names: string[] = [];
  const recorder = Object.create(null) as Record<string, unknown>;
  for (const name of methods) {
    Object.defineProperty(recorder, name, {
      enumerable: true,
      value: (...args: unknown[]) => {
        const [vargs, kw] = split(name, args);
        batch.call(name, vargs, kw);
        names.push(name);
        return new BatchCall<unknown>(recorded++);
      },
    });
  }
  const calls = build(Object.freeze(recorder));
  const indexes = calls.map((item) => {
    if (!(item instanceof BatchCall) || item.index >= recorded) {
      throw new PyroError(
        "pyro",
        "$batch: the callback must return calls made on its argument, e.g. (b) => [b.first(), b.second()]",
      );
    }
    return item.index;
  });
  const { signal, timeoutMs, annotations } = scope;
  const options = { signal, timeoutMs, annotations };
  if (form === "oneway") {
    return recorded === 0 ? Promise.resolve() : batch.send({ ...options, oneway: true });
  }
  const receive = async (results: readonly unknown[]): Promise<unknown[]> =>
    Promise.all(
      indexes
        .filter((index) => index < results.length)
        .map((index) => {
          const receiver = receivers.get(names[index]!);
          return receiver === undefined ? results[index] : receiver(results[index]);
        }),
    );
  const sent = async () => {
    if (recorded === 0) return { values: [], error: undefined };
    const list = await batch.send(options);
    return { values: await receive(list.values), error: list.error as PyroError | undefined };
  };
  if (form === "settled") {
    return sent().then(({ values, error }) => ({ values, completed: values.length, error }));
  }
  // A future's result reaches the caller where V8's async stack cannot follow: take the
  // call site now. A plain batch re-takes the stack where the caller awaits it.
  const site = form === "async" ? captureCallSite(runBatch) : undefined;
  const results = async (): Promise<unknown[]> => {
    try {
      const { values, error } = await sent();
      if (error !== undefined) throw error;
      return values;
    } catch (error) {
      throw site === undefined ? atCaller(error) : atCallSite(error, site);
    }
  };
  return form === "async" ? new Future(results()) : results();
}
