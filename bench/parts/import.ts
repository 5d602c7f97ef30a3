/**
 * `npm run bench -- import`: what loading the client costs a fresh process. pyrogen:
 * `await import("@pyrogen/runtime")` (the bundled file users get); Python: `import Pyro4`.
 * Metrics: the import alone, timed inside the process, and the whole process (start,
 * import, exit) timed from outside. Row `import-modules` imports the runtime's separate
 * modules instead (`dist/runtime/index.js`, what the bundle is built from), to show what
 * the bundle saves; row `interpreter` starts and ends a process that imports nothing (the
 * floor of the whole-process figure: Node starts slower than CPython). Each of the rounds
 * runs every side back to back, the order alternating.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { ROOT, findPython, pythonEnv } from "../../test/harness/python.js";
import { pairedRounds, pairedRow, type BenchRow } from "../lib.js";

const ROUNDS = 11;
const execFileAsync = promisify(execFile);

/** One fresh process: the import as it timed it, and the process from start to exit. */
interface Timing {
  importMs: number;
  processMs: number;
}

async function timed(command: string, args: string[]): Promise<Timing> {
  const start = performance.now();
  const { stdout } = await execFileAsync(command, args, { cwd: ROOT, env: pythonEnv() });
  return { importMs: Number(stdout.trim()), processMs: performance.now() - start };
}

function nodeImport(specifier: string): Promise<Timing> {
  const script =
    "const start = performance.now();" +
    `await import(${JSON.stringify(specifier)});` +
    "console.log(performance.now() - start);";
  return timed(process.execPath, ["--input-type=module", "-e", script]);
}

/** A process that imports nothing: the interpreter's own start and exit. */
function bareNode(): Promise<Timing> {
  return timed(process.execPath, ["-e", "console.log(0)"]);
}

function barePython(): Promise<Timing> {
  return timed(findPython(), ["-c", "print(0)"]);
}

function pythonImport(): Promise<Timing> {
  const script =
    "import time\nstart = time.perf_counter()\nimport Pyro4\n" +
    "print((time.perf_counter() - start) * 1000)";
  return timed(findPython(), ["-c", script]);
}

/** Run the part. */
export async function run(): Promise<BenchRow[]> {
  const modules = pathToFileURL(path.join(ROOT, "dist", "runtime", "index.js")).href;
  // One unmeasured round warms the file cache on both sides.
  const rounds = await pairedRounds(
    1,
    ROUNDS,
    async () => ({
      bundle: await nodeImport("@pyrogen/runtime"),
      modules: await nodeImport(modules),
      bareNode: await bareNode(),
    }),
    async () => ({ python: await pythonImport(), barePython: await barePython() }),
  );
  type Ours = (typeof rounds.pyrogen)[number];
  type Theirs = (typeof rounds.python)[number];
  const row = (
    name: string,
    metric: string,
    ours: keyof Ours,
    theirs: keyof Theirs,
    field: keyof Timing,
  ) =>
    pairedRow(
      { case: name, serializer: "-", metric },
      rounds.pyrogen.map((round) => round[ours][field]),
      rounds.python.map((round) => round[theirs][field]),
      "lower",
    );
  return [
    row("import", "import ms", "bundle", "python", "importMs"),
    row("import", "process start+import+exit ms", "bundle", "python", "processMs"),
    row("import-modules", "import ms", "modules", "python", "importMs"),
    row("import-modules", "process start+import+exit ms", "modules", "python", "processMs"),
    row("interpreter", "process start+exit ms", "bareNode", "barePython", "processMs"),
  ];
}
