/**
 * Run by gc-close.test.ts as `node --expose-gc --import tsx gc-close.script.mts URI`: drops
 * an unfinished remote iterator, forces garbage collection, and prints how many streams the
 * daemon had open before and after, as one JSON line.
 */
import { PyroProxy } from "../../src/runtime/proxy.js";

const collect = (globalThis as { gc?: () => void }).gc;
if (collect === undefined) throw new Error("run with node --expose-gc");
const proxy = new PyroProxy(process.argv[2] ?? "");
const openStreams = (): Promise<unknown> => proxy.$call("open_streams");

/** Start an infinite stream, take one item, and let the iterator go out of scope. */
async function abandon(): Promise<void> {
  const items = (await proxy.$call("infinite")) as AsyncIterator<unknown>;
  await items.next();
}

await abandon();
const before = await openStreams();
let after = before;
for (let i = 0; i < 100 && after !== 0; i++) {
  collect();
  await new Promise((resolve) => setTimeout(resolve, 50));
  after = await openStreams();
}
console.log(JSON.stringify({ before, after }));
proxy.$release();
