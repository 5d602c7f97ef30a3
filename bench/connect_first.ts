/**
 * The pyrogen side of the `connect-first` row of the `calls` part, run in a fresh Node
 * process: the first COUNT connects (new proxy + connect + first call + release) with
 * nothing warmed up, as a program that opens only a few connections sees them.
 *
 * Usage: node --import tsx bench/connect_first.ts URI SERIALIZER COUNT
 * Prints one JSON line: {"calls": COUNT, "calls_per_s": ..., "cpu_us_per_call": ...}.
 */
import { PyroProxy } from "./runtime.js";
import { isSerializerName } from "../src/runtime/serializers/index.js";

const [uri, serializer, countText] = process.argv.slice(2);
if (uri === undefined || serializer === undefined || !isSerializerName(serializer)) {
  throw new Error("usage: connect_first.ts URI SERIALIZER COUNT");
}
const count = Number(countText);
const wall = performance.now();
const cpu = process.cpuUsage();
for (let i = 0; i < count; i++) {
  const proxy = new PyroProxy(uri, { serializer });
  await proxy.$call("echo", ["hello, pyro"]);
  proxy.$release();
}
const used = process.cpuUsage(cpu);
const seconds = (performance.now() - wall) / 1000;
console.log(
  JSON.stringify({
    calls: count,
    calls_per_s: count / seconds,
    cpu_us_per_call: (used.user + used.system) / count,
  }),
);
