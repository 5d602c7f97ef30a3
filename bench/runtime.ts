/**
 * The runtime the benchmarks measure: the built `@pyrogen/runtime` package
 * (packages/runtime/dist, which `npm run bench` builds first), as an application gets it,
 * not the sources under tsx, whose transform differs from the package's bundle (it keeps
 * every function's name with a call per closure made, ~8% of a connect's client CPU).
 * Typed from the sources, which the package's declarations are built from.
 */
import type * as Runtime from "../src/runtime/index.js";

const PACKAGE_ENTRY = new URL("../packages/runtime/dist/index.mjs", import.meta.url);

export const { PyroProxy, Daemon, locateNS } = (await import(PACKAGE_ENTRY.href)) as typeof Runtime;
export type PyroProxy = Runtime.PyroProxy;
