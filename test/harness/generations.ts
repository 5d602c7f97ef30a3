/**
 * The Pyro generations the suites run against, as a table: `describe.each(GENERATIONS)`
 * runs one suite against real Pyro4 4.82 (Debian's) and real Pyro5 5.16 peers alike.
 *
 * Pyro5 is not a Debian package: it is found at `$PYROGEN_PYRO5`, else at
 * `../shared/peers/Pyro5-5.16` beside the repository (where .ci/run puts it too). When it is
 * missing, the Pyro5 suites fail with a message that says how to provide it — never skipped.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** One generation of Pyro peers, and what differs in what the tests observe. */
export interface Generation {
  /** `Pyro4` or `Pyro5`: the module name, also in class names (`Pyro5.errors.NamingError`). */
  readonly name: "Pyro4" | "Pyro5";
  /** The `protocol` option (and PYRO_PROTOCOL value) of this generation. */
  readonly protocol: 4 | 5;
  /** The Python module of the name server (`python -m …`). */
  readonly nameServerModule: string;
  /** Whether replies carry the correlation id as a `CORR` annotation (Pyro5: in the header). */
  readonly corrAnnotation: boolean;
}

export const PYRO4: Generation = {
  name: "Pyro4",
  protocol: 4,
  nameServerModule: "Pyro4.naming",
  corrAnnotation: true,
};

export const PYRO5: Generation = {
  name: "Pyro5",
  protocol: 5,
  nameServerModule: "Pyro5.nameserver",
  corrAnnotation: false,
};

/** Both generations, for `describe.each`. */
export const GENERATIONS: readonly Generation[] = [PYRO4, PYRO5];

/** The folder that holds the `Pyro5` package (a PYTHONPATH entry); throws with advice if absent. */
export function pyro5Path(): string {
  const explicit = process.env["PYROGEN_PYRO5"];
  const candidate = explicit ?? path.resolve(ROOT, "../shared/peers/Pyro5-5.16");
  if (!existsSync(path.join(candidate, "Pyro5", "__init__.py"))) {
    throw new Error(
      `Pyro5 5.16 not found at ${candidate}: put the Pyro5 5.16 package there ` +
        "(../shared/peers/Pyro5-5.16 beside the repository), or set PYROGEN_PYRO5 to a folder " +
        "that contains the Pyro5 package (e.g. pip install --target DIR --no-deps Pyro5==5.16)",
    );
  }
  return candidate;
}

let pyro5Items: ReadonlySet<string> | undefined;

/**
 * The environment a Pyro5 process gets from `env`: Pyro5 on PYTHONPATH, and only the PYRO_*
 * variables Pyro5 knows (it refuses to import with any other, e.g. PYRO_HMAC_KEY).
 */
export function pyro5Env(env: NodeJS.ProcessEnv, python: string): NodeJS.ProcessEnv {
  const where = pyro5Path();
  pyro5Items ??= new Set(
    execFileSync(
      python,
      ["-c", "import Pyro5.configure as c; print(' '.join(c.Configuration.__slots__))"],
      { env: { PATH: env["PATH"] ?? "", PYTHONPATH: where }, encoding: "utf8" },
    )
      .trim()
      .split(/\s+/),
  );
  const out: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith("PYRO_") && !pyro5Items.has(key.slice(5))) continue;
    out[key] = value;
  }
  out["PYTHONPATH"] = [where, env["PYTHONPATH"]].filter(Boolean).join(path.delimiter);
  out["PYROGEN_GENERATION"] = "5";
  return out;
}
