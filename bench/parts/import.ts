/**
 * `npm run bench -- import`: what loading the client costs a fresh process. pyrogen:
 * `await import("pyrogen/runtime")` (the bundled file users get); Python: `import Pyro4`.
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
import { pairedRow, type BenchRow } from "../lib.js";

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
  const pyrogenSides = {
    bundle: () => nodeImport("pyrogen/runtime"),
    modules: () => nodeImport(modules),
    bareNode,
  };
  const pythonSides = { python: pythonImport, barePython };
  const measured = new Map<string, Timing[]>();
  const measure = async (sides: Record<string, () => Promise<Timing>>) => {
    for (const [name, fn] of Object.entries(sides)) {
      const list = measured.get(name) ?? [];
      list.push(await fn());
      measured.set(name, list);
    }
  };
  // One unmeasured round warms the file cache on both sides.
  await measure({ ...pyrogenSides, ...pythonSides });
  measured.clear();
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      await measure(pyrogenSides);
      await measure(pythonSides);
    } else {
      await measure(pythonSides);
      await measure(pyrogenSides);
    }
  }
  const pick = (name: string, field: keyof Timing) => measured.get(name)!.map((t) => t[field]);
  const row = (
    name: string,
    metric: string,
    pyrogen: string,
    python: string,
    field: keyof Timing,
  ) =>
    pairedRow(
      { case: name, serializer: "-", metric },
      pick(pyrogen, field),
      pick(python, field),
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
