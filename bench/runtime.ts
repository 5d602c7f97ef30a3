/**
 * The runtime the benchmarks measure: the built `@pyrogen/runtime` package
 * (packages/runtime/dist, which `npm run bench` builds first), as an application gets it,
 * not the sources under tsx, whose transform differs from the package's bundle (it keeps
 * every function's name with a call per closure made, ~8% of a connect's client CPU).
 * Typed from the sources, which the package's declarations are built from.
 *
 * `PYROGEN_BENCH_RUNTIME` names another build's entry file to measure instead (e.g. an older
 * checkout's packages/runtime/dist/index.mjs), so two runtimes meet the same bench.
 */
import { pathToFileURL } from "node:url";
import type * as Runtime from "../src/runtime/index.js";

const asked = process.env["PYROGEN_BENCH_RUNTIME"];
const PACKAGE_ENTRY =
  asked === undefined || asked === ""
    ? new URL("../packages/runtime/dist/index.mjs", import.meta.url)
    : pathToFileURL(asked);

export const { PyroProxy, Daemon, locateNS } = (await import(PACKAGE_ENTRY.href)) as typeof Runtime;
export type PyroProxy = Runtime.PyroProxy;
