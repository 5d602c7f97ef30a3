import { readFileSync } from "node:fs";
import { SerpentSerializer } from "../../src/runtime/serializers/serpent.js";
import { JsonSerializer } from "../../src/runtime/serializers/json.js";
const sp = new SerpentSerializer();
const js = new JsonSerializer();
const sb = readFileSync("/tmp/text-serpent.bin");
const jb = readFileSync("/tmp/text-json.bin");
const text = sp.loads(sb) as string;
if (text !== js.loads(jb)) throw new Error("differ");
function time(name: string, f: () => unknown) {
  for (let i = 0; i < 20000; i++) f();
  const n = 50000; const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) f();
  console.log(name, (Number(process.hrtime.bigint() - t0) / n / 1000).toFixed(2), "us");
}
for (let r = 0; r < 2; r++) {
  time("serpent loads", () => sp.loads(sb));
  time("json loads", () => js.loads(jb));
  time("serpent dumps", () => sp.dumps(text));
  time("json dumps", () => js.dumps(text));
}
