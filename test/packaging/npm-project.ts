/**
 * Throwaway npm projects for the packaging tests. npm runs offline (the npm cache only) and
 * without the environment of the npm that runs the tests. A consumer's lockfile is built
 * from this repository's own: `npm ci --offline` then needs exactly the packages that
 * `npm ci` here put in the cache, with nothing to resolve.
 */
import { execFile } from "node:child_process";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** The environment for a child npm: this one without the calling npm's `npm_*` variables. */
function npmEnv(): NodeJS.ProcessEnv {
  const keep = new Set(["npm_config_cache", "npm_config_userconfig", "npm_config_globalconfig"]);
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.toLowerCase().startsWith("npm_") || keep.has(key.toLowerCase())) env[key] = value;
  }
  return env;
}

/** Run `npm …args` in `cwd` (offline, no audit or funding noise); rejects with its output. */
export async function npm(args: readonly string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync(
      "npm",
      ["--offline", "--no-audit", "--no-fund", "--loglevel=error", ...args],
      { cwd, env: npmEnv(), encoding: "utf8", maxBuffer: 16 * 1024 * 1024 },
    );
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm ${args.join(" ")} failed in ${cwd}:\n${stdout ?? ""}${stderr ?? ""}`, {
      cause: error,
    });
  }
}

/** A package that `npm pack` wrote. */
export interface PackedPackage {
  readonly name: string;
  readonly version: string;
  /** The tarball's path. */
  readonly file: string;
  readonly integrity: string;
  /** The paths inside the package. */
  readonly files: readonly string[];
  /** Its package.json as packed. */
  readonly manifest: Manifest;
}

/** The package.json fields a lockfile entry needs. */
export interface Manifest {
  name: string;
  version: string;
  license?: string;
  bin?: Record<string, string>;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/** `npm pack` the project in `dir` and its workspaces into `destination`. */
export async function packAll(dir: string, destination: string): Promise<PackedPackage[]> {
  const output = await npm(
    [
      "pack",
      "--workspaces",
      "--include-workspace-root",
      "--json",
      "--pack-destination",
      destination,
    ],
    dir,
  );
  // The JSON array follows whatever the lifecycle scripts printed.
  const report = JSON.parse(output.slice(output.lastIndexOf("\n[") + 1)) as {
    name: string;
    version: string;
    filename: string;
    integrity: string;
    files: { path: string }[];
  }[];
  return Promise.all(
    report.map(async (entry) => {
      const file = path.join(destination, entry.filename);
      const { stdout } = await execFileAsync("tar", ["-xOzf", file, "package/package.json"], {
        encoding: "utf8",
      });
      return {
        name: entry.name,
        version: entry.version,
        file,
        integrity: entry.integrity,
        files: entry.files.map((f) => f.path).sort(),
        manifest: JSON.parse(stdout) as Manifest,
      };
    }),
  );
}

type LockEntry = Record<string, unknown> & Dependencies;
type Dependencies = Pick<
  Manifest,
  "dependencies" | "optionalDependencies" | "peerDependencies" | "peerDependenciesMeta"
>;

/** The packages an entry needs in the tree: dependencies, optional ones, required peers. */
function needs(entry: Dependencies): string[] {
  const peers = Object.keys(entry.peerDependencies ?? {}).filter(
    (name) => entry.peerDependenciesMeta?.[name]?.optional !== true,
  );
  return [
    ...Object.keys(entry.dependencies ?? {}),
    ...Object.keys(entry.optionalDependencies ?? {}),
    ...peers,
  ];
}

/**
 * The package-lock.json of a project in `dir` whose dependencies are `tarballs` (installed
 * from their files) and `registry` packages (the versions this repository's lockfile
 * `repoLock` has), with everything they need, placed where the repository has it.
 */
export function consumerLockfile(
  repoLock: { packages: Record<string, LockEntry> },
  dir: string,
  tarballs: readonly PackedPackage[],
  registry: readonly string[],
): { manifest: Record<string, unknown>; lockfile: Record<string, unknown> } {
  const fromTarball = new Set(tarballs.map((t) => t.name));
  const packages: Record<string, LockEntry> = {};
  /** Node's lookup from `from` upwards, in the repository's tree. */
  const locate = (from: string, name: string): string => {
    for (let at = from; ;) {
      const key = `${at === "" ? "" : `${at}/`}node_modules/${name}`;
      if (repoLock.packages[key] !== undefined) return key;
      if (at === "") throw new Error(`${name} (needed by ${from || "the root"}) is not locked`);
      const parent = at.lastIndexOf("/node_modules/");
      at = parent < 0 ? "" : at.slice(0, parent);
    }
  };
  const add = (from: string, name: string): void => {
    if (fromTarball.has(name)) return;
    const key = locate(from, name);
    if (packages[key] !== undefined) return;
    // In the consumer nothing is a dev-only or peer-only package of this repository.
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = repoLock.packages[key]!;
    packages[key] = entry;
    for (const dependency of needs(entry)) add(key, dependency);
  };

  const dependencies: Record<string, string> = {};
  for (const tarball of tarballs) {
    const spec = `file:${path.relative(dir, tarball.file)}`;
    dependencies[tarball.name] = spec;
    const { name: _name, ...fields } = tarball.manifest;
    packages[`node_modules/${tarball.name}`] = {
      ...pick(fields, ["version", "license", "bin", "engines", "dependencies"]),
      ...pick(fields, ["optionalDependencies"]),
      ...pick(fields, ["peerDependencies", "peerDependenciesMeta"]),
      resolved: spec,
      integrity: tarball.integrity,
    };
    for (const dependency of needs(tarball.manifest)) {
      add(`node_modules/${tarball.name}`, dependency);
    }
  }
  for (const name of registry) {
    const key = locate("", name);
    dependencies[name] = repoLock.packages[key]!["version"] as string;
    add("", name);
  }
  const root = { name: "consumer", version: "1.0.0", dependencies };
  const sorted = Object.fromEntries(
    Object.entries(packages).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  return {
    manifest: { ...root, private: true },
    lockfile: { ...root, lockfileVersion: 3, requires: true, packages: { "": root, ...sorted } },
  };
}

function pick(object: object, keys: readonly string[]): Record<string, unknown> {
  const fields = object as Record<string, unknown>;
  return Object.fromEntries(keys.filter((k) => fields[k] !== undefined).map((k) => [k, fields[k]]));
}

/** The total size in bytes of the files under `dir` (what an install puts on disk). */
export async function treeSize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

/** The packages installed in `dir`/node_modules, as `name` or `@scope/name`. */
export async function installedPackages(dir: string): Promise<string[]> {
  const modules = path.join(dir, "node_modules");
  const names: string[] = [];
  for (const entry of await readdir(modules)) {
    if (entry.startsWith(".")) continue;
    if (entry.startsWith("@")) {
      for (const scoped of await readdir(path.join(modules, entry)))
        names.push(`${entry}/${scoped}`);
    } else {
      names.push(entry);
    }
  }
  return names.sort();
}

/** Read a JSON file. */
export async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, "utf8")) as T;
}
