/**
 * Which class of the source the object is (`--class`, the daemon's names, the only exposed
 * class, the registered one), and how the source and a live daemon disagree about it.
 */
import type { RemoteMetadata } from "../metadata.js";
import { literal } from "../names.js";
import type { ExposureRules } from "./exposure.js";
import type { SourceFiles } from "./source-files.js";
import type { ClassInfo, Symbols } from "./symbols.js";

/** Why the class could not be chosen. */
export class SourceTypesError extends Error {
  override readonly name = "SourceTypesError";
}

/** Pick the class: `--class`, else the one matching the daemon's names, else the only one. */
export function chooseClass(
  symbols: Symbols,
  rules: ExposureRules,
  files: SourceFiles,
  options: {
    readonly className: string | undefined;
    readonly metadata: RemoteMetadata | undefined;
  },
): ClassInfo {
  const exposed = symbols.classes().filter((info) => rules.isExposed(info));
  const describeList = (list: readonly ClassInfo[]): string =>
    list.map((info) => info.qualname).join(", ");
  if (options.className !== undefined) {
    const wanted = options.className;
    const matches = symbols
      .classes()
      .filter(
        (info) =>
          info.qualname === wanted || info.name === wanted || info.qualname.endsWith(`.${wanted}`),
      );
    if (matches.length === 1) return matches[0]!;
    if (matches.length === 0) {
      throw new SourceTypesError(
        `--class ${wanted}: no such class in the source` +
          (exposed.length > 0 ? `; classes that expose members: ${describeList(exposed)}` : ""),
      );
    }
    throw new SourceTypesError(
      `--class ${wanted}: several classes have that name (${describeList(matches)}); give module.Name`,
    );
  }
  if (exposed.length === 0) {
    throw new SourceTypesError(
      "the source has no class that exposes anything to Pyro (no @expose on a class or its " +
        `members) in ${files.given.map((file) => file.file).join(", ")}`,
    );
  }
  if (exposed.length === 1) return exposed[0]!;
  const metadata = options.metadata;
  if (metadata !== undefined) {
    // The class whose exposed names are the daemon's, else the one sharing the most.
    const score = (info: ClassInfo): number => {
      const e = rules.exposure(info);
      const names = new Set([...e.methods.map((m) => m.name), ...e.attrs.map((a) => a.name)]);
      const reported = [...metadata.methods, ...metadata.attrs];
      const shared = reported.filter((name) => names.has(name)).length;
      return shared * 2 - names.size - reported.length;
    };
    const ranked = [...exposed].sort((a, b) => score(b) - score(a));
    if (score(ranked[0]!) > score(ranked[1]!)) return ranked[0]!;
  }
  // The class the server registers with its daemon, when exactly one is.
  const registered = new Set(files.all().flatMap((file) => file.parsed.registered));
  const candidates = exposed.filter((info) => registered.has(info.name));
  if (candidates.length === 1) return candidates[0]!;
  throw new SourceTypesError(
    `the source has several classes that expose members (${describeList(exposed)}); ` +
      "choose one with --class <Name>",
  );
}

/** Every difference between what the source exposes and what the daemon reports. */
export function disagreements(
  cls: string,
  source: RemoteMetadata,
  daemon: RemoteMetadata,
): string[] {
  const out: string[] = [];
  const sourceNames = new Set([...source.methods, ...source.attrs]);
  const daemonNames = new Set([...daemon.methods, ...daemon.attrs]);
  for (const name of [...daemonNames].sort()) {
    if (!sourceNames.has(name)) {
      out.push(
        `the daemon exposes ${literal(name)}, but the source's ${cls} does not (typed unknown)`,
      );
    }
  }
  for (const name of [...sourceNames].sort()) {
    if (!daemonNames.has(name)) {
      out.push(
        `the source's ${cls} exposes ${literal(name)}, but the daemon does not report it (left out)`,
      );
    }
  }
  for (const name of source.methods) {
    if (!daemon.methods.includes(name)) continue;
    const inSource = source.oneway.includes(name);
    const inDaemon = daemon.oneway.includes(name);
    if (inSource !== inDaemon) {
      out.push(
        `${literal(name)} is ${inSource ? "" : "not "}oneway in the source's ${cls} but ` +
          `${inDaemon ? "" : "not "}oneway on the daemon (the daemon's mark is used)`,
      );
    }
  }
  for (const name of source.attrs) {
    if (daemon.methods.includes(name)) {
      out.push(`${literal(name)} is a property in the source's ${cls} but a method on the daemon`);
    }
  }
  return out;
}
