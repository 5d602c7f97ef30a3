/**
 * `--source`: read the server's Python code and turn it into what the emitter places — the
 * exposed names (for generating without a daemon), a TypeScript signature and TSDoc per
 * member, the named types those signatures use, the clients of Pyro classes that methods
 * return, and with `--validate` a zod schema per result. This module only orchestrates;
 * each step is a module of its own in this folder (see docs/internals.md).
 */
import type { SerializerName } from "@pyrogen/runtime";
import type { RemoteMetadata } from "../metadata.js";
import { chooseClass } from "./class-choice.js";
import { ClassShapes } from "./class-shapes.js";
import { Declarations } from "./declarations.js";
import { ExposureRules, type ClassExposure } from "./exposure.js";
import { inferTypes } from "./inference.js";
import { MemberTypes } from "./member-types.js";
import { type PyType, TypeReader } from "./py-types.js";
import { SourceFiles } from "./source-files.js";
import { Symbols } from "./symbols.js";
import { TypeNames } from "./type-names.js";
import {
  inferenceRequests,
  printClient,
  wireClass,
  type SourceClient,
  type WiredClass,
} from "./typed-clients.js";
import { WireTypes } from "./wire-types.js";

export { SourceTypesError } from "./class-choice.js";
export type { SourceAttribute, SourceClient, SourceMethod, SourceParam } from "./typed-clients.js";

/** What `--source` is asked to do. */
export interface SourceOptions {
  /** `--source` entries: files or folders. */
  readonly entries: readonly string[];
  /** `--class`: the class's name or `module.Name`; else chosen from the source. */
  readonly className: string | undefined;
  /** The serializer the module is generated for (types follow what it delivers). */
  readonly serializer: SerializerName;
  /** Ask pyright where annotations and docstrings say nothing. */
  readonly infer: boolean;
  /** Also emit zod schemas that check each result. */
  readonly validate: boolean;
  /** Config overrides: TypeScript types for Python classes (`module.Name` → type). */
  readonly classOverrides: Readonly<Record<string, string>>;
  /** The daemon's report when there is a daemon (the authority on names). */
  readonly metadata: RemoteMetadata | undefined;
}

/** Everything the emitter needs from the source. */
export interface SourceTypes {
  /** The chosen class, `module.Name`. */
  readonly qualname: string;
  /** Its Python name: the module's default type name. */
  readonly pythonName: string;
  /** Which Pyro the source uses. */
  readonly generation: 4 | 5;
  readonly main: SourceClient;
  readonly clients: readonly SourceClient[];
  /** `export interface …` / `export type …` statements. */
  readonly declarations: readonly string[];
  /** With `validate`: the module checks results with zod schemas. */
  readonly validate: boolean;
  /** `const …Schema = …` statements and helpers (with `validate`). */
  readonly schemas: readonly string[];
  readonly warnings: readonly string[];
  /** For the banner: the digest of the files read and how types were inferred. */
  readonly provenance: string;
  /** Every file read (for messages and `inspect --source`). */
  readonly files: readonly string[];
}

/** Read the source and type the chosen class; `typeNameFor` names the module's type. */
export async function readSourceTypes(
  options: SourceOptions,
  typeNameFor: (pythonName: string) => string,
): Promise<SourceTypes> {
  const files = await SourceFiles.load(options.entries);
  const symbols = await Symbols.load(files);
  const rules = new ExposureRules(symbols);
  const warnings = parseWarnings(files);
  const chosen = chooseClass(symbols, rules, files, options);
  const exposure = rules.exposure(chosen);
  warnings.push(...exposure.problems);
  if (exposure.unknownBases.length > 0) {
    warnings.push(
      `${chosen.qualname} inherits from ${exposure.unknownBases.join(", ")}, which the source ` +
        "does not include: members exposed there are not seen",
    );
  }
  const types = new TypeReader(symbols);
  const members = new MemberTypes(symbols, types);
  const inference = options.infer
    ? await infer(files, symbols, rules, members, types, warnings)
    : { inferred: new Map<string, PyType>(), provenance: "" };

  // Type the main class, then every Pyro class its results return, until none is new.
  const wires = new WireTypes(
    options.serializer,
    new ClassShapes(symbols, types),
    rules,
    options.classOverrides,
  );
  const mainName = typeNameFor(chosen.name);
  const names = new TypeNames(moduleNames(mainName));
  const clientNames = new Map<string, ClientNames>([
    [
      chosen.qualname,
      {
        interfaceName: mainName,
        descriptorName: `${mainName}Descriptor`,
        clientTypeName: `${mainName}Client`,
      },
    ],
  ]);
  const pending: ClassExposure[] = [exposure];
  const wired = new Map<string, WiredClass>();
  for (let current = pending.shift(); current !== undefined; current = pending.shift()) {
    if (wired.has(current.info.qualname)) continue;
    const reported = current === exposure ? options.metadata : undefined;
    const entry = wireClass(current, members, wires, inference.inferred, reported, warnings);
    wired.set(current.info.qualname, entry);
    for (const info of entry.clients) {
      if (clientNames.has(info.qualname)) continue;
      const interfaceName = names.allocate(info.name);
      clientNames.set(info.qualname, {
        interfaceName,
        descriptorName: names.allocate(`${interfaceName}Descriptor`),
        clientTypeName: names.allocate(`${interfaceName}Client`),
      });
      pending.push(rules.exposure(info));
    }
  }
  warnings.push(...wires.warnings);

  const declarations = new Declarations(
    wires.declarations(),
    names,
    (info) => clientNames.get(info.qualname)!.clientTypeName,
  );
  const printed = [...wired].map(([qualname, entry]) =>
    printClient(
      entry,
      clientNames.get(qualname)!,
      declarations.printNames,
      options.validate ? (wire) => declarations.schema(wire) : undefined,
      (info) => clientNames.get(info.qualname)!.descriptorName,
    ),
  );
  const count = files.all().length;
  return {
    qualname: chosen.qualname,
    pythonName: chosen.name,
    generation: exposure.generation,
    main: printed[0]!,
    clients: printed.slice(1).sort((a, b) => (a.interfaceName < b.interfaceName ? -1 : 1)),
    declarations: declarations.types(),
    validate: options.validate,
    schemas: options.validate ? declarations.schemas() : [],
    warnings,
    provenance:
      `python source sha256:${files.digest().slice(0, 12)} (${count} file${count === 1 ? "" : "s"})` +
      inference.provenance,
    files: files.all().map((file) => file.file),
  };
}

interface ClientNames {
  readonly interfaceName: string;
  readonly descriptorName: string;
  readonly clientTypeName: string;
}

/** One pyright run for every exposed class that needs it (returned Pyro classes included). */
async function infer(
  files: SourceFiles,
  symbols: Symbols,
  rules: ExposureRules,
  members: MemberTypes,
  types: TypeReader,
  warnings: string[],
): Promise<{ inferred: Map<string, PyType>; provenance: string }> {
  const inferred = new Map<string, PyType>();
  const exposed = symbols.classes().filter((info) => rules.isExposed(info));
  const requests = inferenceRequests(
    exposed.map((info) => rules.exposure(info)),
    members,
  );
  if (requests.length === 0) return { inferred, provenance: "" };
  const outcome = await inferTypes(files.all(), requests);
  if (!outcome.ok) {
    warnings.push(`type inference skipped: ${outcome.reason}`);
    return { inferred, provenance: "" };
  }
  for (const request of requests) {
    const printed = outcome.types.get(request.key);
    if (printed !== undefined) {
      inferred.set(request.key, types.readPrinted(request.info.file, printed));
    }
  }
  return { inferred, provenance: `, inferred by pyright ${outcome.version}` };
}

function parseWarnings(files: SourceFiles): string[] {
  return files
    .all()
    .filter((file) => file.parsed.errorLines.length > 0)
    .map(
      (file) =>
        `${file.file}: could not parse line(s) ${file.parsed.errorLines.slice(0, 5).join(", ")}; ` +
        "members defined there may be missing",
    );
}

function moduleNames(typeName: string): string[] {
  return [
    typeName,
    `${typeName}Descriptor`,
    `${typeName}Attributes`,
    `${typeName}Batch`,
    `${typeName}Async`,
    `${typeName}Iter`,
    `${typeName}Client`,
    `connect${typeName}`,
  ];
}
