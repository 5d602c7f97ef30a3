/**
 * Run by idle-connections.test.ts in a process of its own (`node --expose-gc --import tsx`):
 *
 * - `call URI`: one call on a proxy that is never released; the process must then exit.
 * - `ns PORT`: a name-server client used and never released; the process must then exit.
 * - `drop URI N`: N proxies each make a call and are dropped without `$release()`, the
 *   garbage collector runs after each; prints how many calls succeeded, as JSON.
 * - `released URI N`: N proxies each make a call and are released; prints how many bytes
 *   each left in the old generation while only minor collections ran, as JSON.
 */
import { constants, PerformanceObserver } from "node:perf_hooks";
import { getHeapSpaceStatistics } from "node:v8";
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
} else if (mode === "released") {
  console.log(JSON.stringify(await oldGenerationPerReleasedProxy(target!, Number(count))));
  process.exit(0);
}

/**
 * Bytes of the old generation each of `count` connected and released proxies leaves behind
 * while only minor collections run: what a minor collection cannot free is moved there, and
 * stays until a major one. A window in which V8 ran a major collection says nothing; up to
 * three are tried.
 */
async function oldGenerationPerReleasedProxy(
  uri: string,
  count: number,
): Promise<{ bytesPerProxy: number } | { error: string }> {
  const collect = (globalThis as { gc?: (options?: { type: "minor" | "major" }) => void }).gc;
  if (collect === undefined) throw new Error("run with node --expose-gc");
  let majors = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind;
      if (kind !== constants.NODE_PERFORMANCE_GC_MINOR) majors++;
    }
  });
  observer.observe({ entryTypes: ["gc"] });
  const oldSpaceUsed = (): number =>
    getHeapSpaceStatistics().find((space) => space.space_name === "old_space")!.space_used_size;
  const cycle = async (): Promise<void> => {
    const proxy = new PyroProxy(uri);
    await proxy.$call("echo", ["released"]);
    proxy.$release();
  };
  for (let i = 0; i < count; i++) await cycle(); // code compiled and optimized first
  for (let attempt = 0; attempt < 3; attempt++) {
    collect({ type: "major" });
    await new Promise((resolve) => setTimeout(resolve, 10));
    const majorsBefore = majors;
    const before = oldSpaceUsed();
    // V8 runs its minor collections as the young generation fills up.
    for (let i = 0; i < count; i++) await cycle();
    const after = oldSpaceUsed();
    await new Promise((resolve) => setTimeout(resolve, 10));
    if (majors === majorsBefore) {
      observer.disconnect();
      return { bytesPerProxy: Math.round((after - before) / count) };
    }
  }
  observer.disconnect();
  return { error: "V8 ran a major collection in every window" };
}
