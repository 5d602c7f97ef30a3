/**
 * The Python files a `--source` reads: each given file, every `.py` file under each given
 * folder, and — as Python's import system would find them — sibling modules the code imports
 * from those folders. Files are read and parsed once; their digests go into the banner so
 * `--check` notices a changed source.
 */
import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { PyModule } from "./python-model.js";
import { parsePython } from "./python-syntax.js";

/** A parsed source file. */
export interface SourceFile {
  /** Dotted module name (`server`, `pkg.models`, `pkg` for `pkg/__init__.py`). */
  readonly module: string;
  /** Absolute path. */
  readonly file: string;
  readonly parsed: PyModule;
  /** sha256 of the file's bytes. */
  readonly digest: string;
}

/** Why a `--source` entry could not be read. */
export class SourceError extends Error {
  override readonly name = "SourceError";
}

// Folders that hold other people's code or tooling, never the server's own modules.
const SKIPPED_FOLDERS = new Set([
  "__pycache__",
  "node_modules",
  "site-packages",
  "venv",
  "env",
  "build",
  "dist",
]);

/** The loaded files, and where to look for modules they import. */
export class SourceFiles {
  readonly #byModule = new Map<string, SourceFile>();
  readonly #roots: string[] = [];
  /** Modules looked for in the roots and not found (so they are looked for once). */
  readonly #missing = new Set<string>();
  /** The modules given directly or found in the given folders, in a stable order. */
  readonly given: SourceFile[] = [];

  private constructor() {}

  /** Read every entry (a `.py` file or a folder). Throws {@link SourceError}. */
  static async load(entries: readonly string[]): Promise<SourceFiles> {
    const files = new SourceFiles();
    for (const entry of entries) await files.#addEntry(path.resolve(entry), entry);
    files.given.sort((a, b) => (a.module < b.module ? -1 : a.module > b.module ? 1 : 0));
    return files;
  }

  /** The module named `name`, reading it from a root folder if it has not been read yet. */
  async module(name: string): Promise<SourceFile | undefined> {
    const known = this.#byModule.get(name);
    if (known !== undefined || this.#missing.has(name)) return known;
    const relative = name.split(".");
    for (const root of this.#roots) {
      for (const candidate of [
        path.join(root, ...relative) + ".py",
        path.join(root, ...relative, "__init__.py"),
      ]) {
        if (await isFile(candidate)) return this.#read(candidate, name);
      }
    }
    this.#missing.add(name);
    return undefined;
  }

  /** The module named `name` if it has been read. */
  loaded(name: string): SourceFile | undefined {
    return this.#byModule.get(name);
  }

  /** Every file read so far (given or imported), sorted by module name. */
  all(): SourceFile[] {
    return [...this.#byModule.values()].sort((a, b) =>
      a.module < b.module ? -1 : a.module > b.module ? 1 : 0,
    );
  }

  /** One digest over every file read (module names and contents), for the banner. */
  digest(): string {
    const hash = createHash("sha256");
    for (const file of this.all()) hash.update(`${file.module}\0${file.digest}\0`);
    return hash.digest("hex");
  }

  async #addEntry(absolute: string, shown: string): Promise<void> {
    let info;
    try {
      info = await stat(absolute);
    } catch (error) {
      throw new SourceError(
        `--source ${shown}: ${(error as NodeJS.ErrnoException).code ?? String(error)}; ` +
          "give a Python file or a folder of Python files",
      );
    }
    if (info.isDirectory()) {
      // A folder that is a package is imported by its name, from its parent folder.
      const isPackage = await isFile(path.join(absolute, "__init__.py"));
      const root = isPackage ? path.dirname(absolute) : absolute;
      this.#addRoot(root);
      const found = await pythonFilesUnder(absolute);
      if (found.length === 0) throw new SourceError(`--source ${shown}: no .py files in it`);
      for (const file of found) this.given.push(await this.#read(file, moduleName(root, file)));
      return;
    }
    if (!absolute.endsWith(".py") && !absolute.endsWith(".pyi")) {
      throw new SourceError(`--source ${shown}: not a Python file (.py)`);
    }
    const root = path.dirname(absolute);
    this.#addRoot(root);
    this.given.push(await this.#read(absolute, moduleName(root, absolute)));
  }

  #addRoot(root: string): void {
    if (!this.#roots.includes(root)) this.#roots.push(root);
  }

  async #read(file: string, module: string): Promise<SourceFile> {
    const known = this.#byModule.get(module);
    if (known !== undefined) return known;
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      throw new SourceError(
        `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      );
    }
    const text = bytes.toString("utf8");
    const source: SourceFile = {
      module,
      file,
      parsed: parsePython(text),
      digest: createHash("sha256").update(bytes).digest("hex"),
    };
    this.#byModule.set(module, source);
    return source;
  }
}

function moduleName(root: string, file: string): string {
  const parts = path
    .relative(root, file)
    .replace(/\.pyi?$/, "")
    .split(path.sep);
  if (parts[parts.length - 1] === "__init__") parts.pop();
  return parts.join(".");
}

async function pythonFilesUnder(folder: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(folder, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue;
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name)) out.push(...(await pythonFilesUnder(full)));
    } else if (entry.isFile() && entry.name.endsWith(".py")) {
      out.push(full);
    }
  }
  return out;
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}
