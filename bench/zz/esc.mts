import { escapedPositions, quoteInPlace, SERPENT_ESCAPED, JSON_ESCAPED, SPARSE_ESCAPES } from "../../src/runtime/serializers/plain-text.js";
const text = Array.from({ length: 128 }, (_, i) => `it's line ${String(i).padStart(3, "0")} of ten kibibytes of text`.padEnd(79, ".") + "\n").join("");
const bytes = Buffer.from(text);
const big = Buffer.alloc(20000);
function time(name: string, f: () => unknown) {
  for (let i = 0; i < 20000; i++) f();
  const n = 50000; const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) f();
  console.log(name, (Number(process.hrtime.bigint() - t0) / n / 1000).toFixed(2), "us");
}
const texts = Array.from({ length: 0x7f }, (_, b) => b === 10 ? "\\n" : b === 0x27 ? "'" : String.fromCharCode(b));
for (let r = 0; r < 2; r++) {
  time("positions serpent", () => escapedPositions(bytes, SERPENT_ESCAPED, SPARSE_ESCAPES));
  time("positions json", () => escapedPositions(bytes, JSON_ESCAPED, SPARSE_ESCAPES));
  const pos = escapedPositions(bytes, SERPENT_ESCAPED, SPARSE_ESCAPES)!;
  time("write", () => big.write(text, 1, 10240, "utf8"));
  time("write+quoteInPlace", () => { big.write(text, 1, 10240, "utf8"); return quoteInPlace(big, 1, 10240, pos, texts, 0x22); });
}
