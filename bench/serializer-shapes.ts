/**
 * The payloads of the `serializers` part, each built exactly as `SHAPES` in
 * `bench/serializers_python.py` builds it: `doc-1000`, the document of docs performance.md,
 * and shapes common in calls.
 */

/** The document of docs performance.md. */
function documentValue(): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  for (let i = 0; i < 1000; i++) {
    doc[`key-${String(i).padStart(4, "0")}`] = [
      i,
      i + 0.5,
      `value ${i}`,
      [`a${i}`, `b${i}`, `c${i}`],
      [i, i * 2, i * 3],
    ];
  }
  return doc;
}

/** Each shape's payload value. */
export const SHAPES = {
  "doc-1000": documentValue,
  "records-200": () =>
    Array.from({ length: 200 }, (_, i) => ({
      id: i,
      name: `user${i}`,
      email: `user${i}@example.com`,
      score: i * 0.5,
      active: i % 2 === 0,
    })),
  "text-10KiB": () =>
    Array.from(
      { length: 128 },
      (_, i) =>
        `it's line ${String(i).padStart(3, "0")} of ten kibibytes of text`.padEnd(79, ".") + "\n",
    ).join(""),
  "unicode-5k": () => "Grüße aus Köln, 東京からこんにちは — ça va? ".repeat(300).slice(0, 5000),
  "floats-1k": () => Array.from({ length: 1000 }, (_, i) => i * 1.1 + 0.25),
  "bigints-200": () => Array.from({ length: 200 }, (_, i) => 2 ** 40 + i * 7919),
  "strlist-1k": () => Array.from({ length: 1000 }, (_, i) => `item-${i}`),
} satisfies Record<string, () => unknown>;

export type Shape = keyof typeof SHAPES;
