/**
 * Run by idle-connections.test.ts in a process of its own (`node --expose-gc --import tsx`):
 *
 * - `call URI`: one call on a proxy that is never released; the process must then exit.
 * - `ns PORT`: a name-server client used and never released; the process must then exit.
 * - `drop URI N`: N proxies each make a call and are dropped without `$release()`, the
 *   garbage collector runs after each; prints how many calls succeeded, as JSON.
 */
import { locateNS } from "../../src/runtime/naming/index.js";
import { PyroProxy } from "../../src/runtime/proxy.js";

const [mode, target, count] = process.argv.slice(2);

/**
 * One call on a proxy that is then dropped. A daemon slow to notice an earlier proxy's close
 * may still be full: wait for a worker for up to 3 s, as Pyro4's async calls do.
 */
async function callAndDrop(uri: string): Promise<void> {
  for (let waited = 0; ; waited += 100) {
    const proxy = new PyroProxy(uri);
    try {
      await proxy.$call("echo", ["dropped"]);
      return;
    } catch (error) {
      if (waited >= 3000 || !String(error).includes("no free workers")) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

if (mode === "call") {
  const proxy = new PyroProxy(target!);
  console.log(JSON.stringify({ echo: await proxy.$call("echo", ["kept"]) }));
} else if (mode === "ns") {
  const ns = await locateNS({ host: "127.0.0.1", port: Number(target) });
  console.log(JSON.stringify({ count: await ns.count() }));
} else if (mode === "drop") {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error("run with node --expose-gc");
  let succeeded = 0;
  const failures: string[] = [];
  for (let i = 0; i < Number(count); i++) {
    try {
      await callAndDrop(target!);
      succeeded++;
    } catch (error) {
      failures.push(error instanceof Error ? error.message : String(error));
    }
    // The finalizer runs after a collection; the daemon then frees the worker it held.
    collect();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  console.log(JSON.stringify({ succeeded, failures: failures.slice(0, 1) }));
  // Whether idle connections hold the process open is the other tests' question.
  process.exit(0);
}
