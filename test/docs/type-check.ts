/**
 * Type-checks documentation examples with the TypeScript compiler API, in memory, against
 * the real runtime: `@pyrogen/runtime` is mapped to `src/runtime/index.ts`, and `./music.js`
 * (the module the README generates) is the golden music client
 * `fixtures/codegen/music/expected/music-server.ts`.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { ROOT } from "../harness/python.js";

/** The golden generated music client the examples import as `./music.js`. */
export const MUSIC_CLIENT = path.join(ROOT, "fixtures/codegen/music/expected/music-server.ts");
/** The runtime entry point `@pyrogen/runtime` stands for. */
export const RUNTIME_ENTRY = path.join(ROOT, "src/runtime/index.ts");

// Virtual files live next to this helper so Node's module rules (package.json "type") apply.
const HERE = path.join(ROOT, "test", "docs");

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2023,
  lib: ["lib.es2023.d.ts", "lib.esnext.disposable.d.ts"],
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  moduleDetection: ts.ModuleDetectionKind.Force,
  strict: true,
  noUncheckedIndexedAccess: true,
  noEmit: true,
  skipLibCheck: true,
  types: ["node"],
  paths: { "@pyrogen/runtime": [RUNTIME_ENTRY] },
};

/**
 * Compiles every snippet (name → code) as its own module in one program and returns the
 * formatted diagnostics of each, keyed by snippet name (an empty string when it is clean).
 */
export function typeCheckSnippets(snippets: ReadonlyMap<string, string>): Map<string, string> {
  const files = new Map<string, string>();
  const names = new Map<string, string>();
  for (const [name, code] of snippets) {
    const file = path.join(HERE, `__doc_example_${files.size}.ts`);
    files.set(file, code);
    names.set(file, name);
  }
  files.set(path.join(HERE, "music.ts"), readFileSync(MUSIC_CLIENT, "utf8"));

  const host = ts.createCompilerHost(OPTIONS);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (file) => files.has(file) || fileExists.call(host, file);
  host.readFile = (file) => files.get(file) ?? readFile.call(host, file);
  host.getSourceFile = (file, language, ...rest) => {
    const code = files.get(file);
    if (code === undefined) return getSourceFile.call(host, file, language, ...rest);
    return ts.createSourceFile(file, code, language);
  };
  const program = ts.createProgram([...names.keys()], OPTIONS, host);
  const formatHost: ts.FormatDiagnosticsHost = {
    getCanonicalFileName: (file) => file,
    getCurrentDirectory: () => ROOT,
    getNewLine: () => "\n",
  };
  const result = new Map<string, string>();
  for (const [file, name] of names) {
    const source = program.getSourceFile(file);
    const diagnostics = [
      ...program.getSyntacticDiagnostics(source),
      ...program.getSemanticDiagnostics(source),
    ];
    result.set(name, ts.formatDiagnostics(diagnostics, formatHost));
  }
  return result;
}
