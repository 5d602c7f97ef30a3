/**
 * Types pyright infers where the source has neither an annotation nor a docstring type.
 *
 * pyright (npm `pyright`, pure JavaScript, with its own copy of typeshed) runs over a copy of
 * the source in a temporary folder: each class that needs inference gets a probe inserted
 * right after its module-level statement in its module's copy (so code after it, such as a
 * server's `while True:` loop, cannot make it unreachable) — `reveal_type(result(obj.method))`
 * per method, `reveal_type(obj.prop)` per property — and pyright prints each type. The user's files are never written and
 * nothing is imported or run. Pyro's decorators come with small stubs (Pyro ships no type
 * information, and an untyped `@Pyro4.expose` would hide the class from pyright), and the
 * machine's Python installation is kept out, so the same source infers the same types
 * everywhere.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { SourceFile } from "./source-files.js";
import type { ClassInfo } from "./symbols.js";

const run = promisify(execFile);

/** One type to infer: a method's result or a property's value. */
export interface InferenceRequest {
  readonly key: string;
  readonly info: ClassInfo;
  readonly member: string;
  readonly kind: "result" | "value";
}

/** Printed Python types by request key, or why there are none. */
export type InferenceOutcome =
  | { readonly ok: true; readonly types: ReadonlyMap<string, string>; readonly version: string }
  | { readonly ok: false; readonly reason: string };

const PYRO_DECORATORS = `from typing import Any, Callable, TypeVar
_T = TypeVar("_T")
def expose(method_or_class: _T) -> _T: ...
def oneway(method: _T) -> _T: ...
def callback(method: _T) -> _T: ...
def behavior(instance_mode: str = ..., instance_creator: Any = ...) -> Callable[[_T], _T]: ...
class URI:
    def __init__(self, uri: Any) -> None: ...
    def __getattr__(self, name: str) -> Any: ...
class Proxy:
    def __init__(self, uri: Any, connected_socket: Any = ...) -> None: ...
    def __getattr__(self, name: str) -> Any: ...
def __getattr__(name: str) -> Any: ...
`;

// Python 2 names of standard modules, which Pyro4 programs still import as fallbacks
// (`try: import queue except ImportError: import Queue as queue`); an unresolved fallback
// would make pyright's type of the name unknown.
const PYTHON2_MODULES: Readonly<Record<string, string>> = {
  Queue: "queue",
  ConfigParser: "configparser",
  SocketServer: "socketserver",
  cPickle: "pickle",
  StringIO: "io",
  cStringIO: "io",
  httplib: "http.client",
  urlparse: "urllib.parse",
  Tkinter: "tkinter",
  thread: "_thread",
  __builtin__: "builtins",
};

// Every module a server may take Pyro's decorators from.
const STUB_FILES = [
  "Pyro4/__init__.pyi",
  "Pyro4/core.pyi",
  "Pyro5/__init__.pyi",
  "Pyro5/api.pyi",
  "Pyro5/server.pyi",
  "Pyro5/client.pyi",
  "Pyro5/core.pyi",
];

// A fixed language version, so typeshed's version-dependent stubs do not vary by machine.
const PYTHON_VERSION = "3.13";

// The probe's own lines: a generic helper whose result type is a callable's result type.
const PROBE_PRELUDE = [
  "    from typing import Callable as __pyrogen_Callable",
  "    def __pyrogen_result[R](f: __pyrogen_Callable[..., R]) -> R: ...",
];

/** The installed pyright's entry script and version (loaded only when inference runs). */
function locatePyright(): { script: string; version: string } {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve("pyright/package.json");
  const { version } = require("pyright/package.json") as { version: string };
  return { script: path.join(path.dirname(manifest), "index.js"), version };
}

/** Infer the requested types. Never throws: a failure is an outcome with its reason. */
export async function inferTypes(
  files: readonly SourceFile[],
  requests: readonly InferenceRequest[],
  timeoutMs = 120_000,
): Promise<InferenceOutcome> {
  if (requests.length === 0) return { ok: true, types: new Map(), version: "" };
  let pyright: { script: string; version: string };
  try {
    pyright = locatePyright();
  } catch {
    return { ok: false, reason: "the npm package pyright is not installed" };
  }
  const folder = await mkdtemp(path.join(tmpdir(), "pyrogen-infer-"));
  try {
    const probes = await writeProject(folder, files, requests);
    const output = await runPyright(pyright.script, folder, timeoutMs);
    return { ok: true, types: readTypes(output, probes), version: pyright.version };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** Where each probe line is: absolute file → line (0-based) → request key. */
type ProbeLines = Map<string, Map<number, string>>;

async function writeProject(
  folder: string,
  files: readonly SourceFile[],
  requests: readonly InferenceRequest[],
): Promise<ProbeLines> {
  const sourceRoot = path.join(folder, "src");
  for (const stub of STUB_FILES) {
    const target = path.join(folder, "typings", stub);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, PYRO_DECORATORS);
  }
  for (const [old, current] of Object.entries(PYTHON2_MODULES)) {
    await writeFile(path.join(folder, "typings", `${old}.pyi`), `from ${current} import *\n`);
  }
  const byModule = new Map<string, InferenceRequest[]>();
  for (const request of requests) {
    const list = byModule.get(request.info.file.module) ?? [];
    list.push(request);
    byModule.set(request.info.file.module, list);
  }
  const probes: ProbeLines = new Map();
  const included: string[] = [];
  for (const file of files) {
    const isPackage = /[\\/]__init__\.pyi?$/.test(file.file);
    const relative = file.module.split(".");
    const target = isPackage
      ? path.join(sourceRoot, ...relative, "__init__.py")
      : path.join(sourceRoot, ...relative) + ".py";
    await mkdir(path.dirname(target), { recursive: true });
    let text = await readFile(file.file, "utf8");
    const wanted = byModule.get(file.module);
    if (wanted !== undefined) {
      const probe = probeText(text, wanted);
      text = probe.text;
      probes.set(target, probe.lines);
      included.push(path.relative(folder, target));
    }
    await writeFile(target, text);
  }
  await mkdir(path.join(folder, "venv", "lib", `python${PYTHON_VERSION}`, "site-packages"), {
    recursive: true,
  });
  const config = {
    include: included,
    extraPaths: ["src"],
    stubPath: "typings",
    pythonVersion: PYTHON_VERSION,
    pythonPlatform: "Linux",
    typeCheckingMode: "off",
    // An empty virtual environment: pyright then never asks the machine's Python for paths.
    venvPath: ".",
    venv: "venv",
  };
  await writeFile(path.join(folder, "pyrightconfig.json"), JSON.stringify(config));
  return probes;
}

/**
 * `text` with a probe function inserted after each requested class's module-level statement,
 * and the (0-based) line of each `reveal_type` with its request's key.
 */
function probeText(
  text: string,
  requests: readonly InferenceRequest[],
): { text: string; lines: Map<number, string> } {
  const byClass = new Map<string, InferenceRequest[]>();
  for (const request of requests) {
    const list = byClass.get(request.info.qualname) ?? [];
    list.push(request);
    byClass.set(request.info.qualname, list);
  }
  // Probe blocks by the line they follow (1-based).
  const blocks = new Map<number, { line: string; key?: string }[]>();
  let index = 0;
  for (const list of byClass.values()) {
    const info = list[0]!.info;
    const classPath = info.qualname.slice(info.file.module.length + 1);
    const block = blocks.get(info.cls.endLine) ?? [];
    block.push(
      { line: "" },
      { line: `def __pyrogen_probe_${index++}(__pyrogen_self: "${classPath}") -> None:` },
      ...PROBE_PRELUDE.map((line) => ({ line })),
    );
    for (const request of list) {
      const access = `__pyrogen_self.${request.member}`;
      const reveal = request.kind === "result" ? `__pyrogen_result(${access})` : access;
      block.push({ line: `    reveal_type(${reveal})`, key: request.key });
    }
    blocks.set(info.cls.endLine, block);
  }
  const source = text.split(/\r?\n/);
  const out: string[] = [];
  const lines = new Map<number, string>();
  for (const [number, original] of source.entries()) {
    out.push(original);
    for (const entry of blocks.get(number + 1) ?? []) {
      if (entry.key !== undefined) lines.set(out.length, entry.key);
      out.push(entry.line);
    }
  }
  return { text: out.join("\n"), lines };
}

async function runPyright(script: string, folder: string, timeoutMs: number): Promise<string> {
  try {
    const { stdout } = await run(
      process.execPath,
      [script, "--outputjson", "-p", "pyrightconfig.json"],
      {
        cwd: folder,
        timeout: timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, NODE_OPTIONS: "" },
      },
    );
    return stdout;
  } catch (error) {
    // pyright exits 1 when it reports errors; its JSON is still on stdout.
    const failed = error as { stdout?: string; killed?: boolean; message?: string };
    if (failed.killed === true) throw new Error(`pyright did not finish within ${timeoutMs} ms`);
    if (typeof failed.stdout === "string" && failed.stdout.trimStart().startsWith("{")) {
      return failed.stdout;
    }
    throw new Error(`pyright failed: ${failed.message ?? String(error)}`);
  }
}

interface PyrightOutput {
  readonly generalDiagnostics?: readonly {
    readonly file?: string;
    readonly severity?: string;
    readonly message?: string;
    readonly range?: { readonly start?: { readonly line?: number } };
  }[];
}

function readTypes(output: string, probes: ProbeLines): Map<string, string> {
  const parsed = JSON.parse(output) as PyrightOutput;
  const types = new Map<string, string>();
  for (const diagnostic of parsed.generalDiagnostics ?? []) {
    if (diagnostic.severity !== "information" || diagnostic.file === undefined) continue;
    const line = diagnostic.range?.start?.line;
    const key = line === undefined ? undefined : probes.get(diagnostic.file)?.get(line);
    const match = /^Type of "[^"]*" is "(.*)"$/s.exec(diagnostic.message ?? "");
    if (key !== undefined && match !== null) types.set(key, match[1]!);
  }
  return types;
}
