/**
 * `--source`: read the server's Python code and turn it into what the emitter places — the
 * exposed names (for generating without a daemon), a TypeScript signature and TSDoc per
 * member, the named types those signatures use, the clients of Pyro classes that methods
 * return, and with `--validate` a zod schema per result. This module only orchestrates;
 * each step is a module of its own in this folder.
 */
import type { SerializerName } from "../../runtime/serializers/serializer.js";
import type { RemoteMetadata } from "../metadata.js";
import { ClassShapes } from "./class-shapes.js";
import { ExposureRules, type ClassExposure } from "./exposure.js";
import { inferTypes, type InferenceRequest } from "./inference.js";
import { memberDoc } from "./member-docs.js";
import { inferenceKey, MemberTypes, type TypedMethod } from "./member-types.js";
import { knowledge, type PyType, TypeReader } from "./py-types.js";
import { SourceFiles } from "./source-files.js";
import { Symbols, type ClassInfo } from "./symbols.js";
import { TypeNames } from "./type-names.js";
import {
  printSchema,
  printType,
  SCHEMA_HELPERS,
  type PrintNames,
  type SchemaHelper,
} from "./wire-printers.js";
import { WireTypes, type NamedRef, type Wire } from "./wire-types.js";
import { isParameterName, literal, memberName } from "../names.js";

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

/** A parameter as emitted. */
export interface SourceParam {
  readonly name: string;
  readonly type: string;
  readonly optional: boolean;
  readonly rest: boolean;
}

/** A method as emitted. */
export interface SourceMethod {
  readonly params: readonly SourceParam[];
  readonly returns: string;
  readonly doc: readonly string[];
  readonly knowledge: "known" | "partly" | "unknown";
  /** zod schemas for the result and, for an iterator, each item. */
  readonly check: { readonly value?: string; readonly items?: string } | undefined;
  /** The descriptor constant of the client a returned proxy becomes. */
  readonly client: string | undefined;
  /**
   * Python's names of the positional parameters (null for positional-only ones), when an
   * optional one comes before another: a skipped (`undefined`) argument then lets the later
   * ones travel as keyword arguments, so Python uses the skipped one's default.
   */
  readonly positionalNames: readonly (string | null)[] | undefined;
}

/** An attribute as emitted. */
export interface SourceAttribute {
  readonly type: string;
  readonly readonly: boolean;
  readonly doc: readonly string[];
  readonly knowledge: "known" | "partly" | "unknown";
  readonly check: string | undefined;
  readonly client: string | undefined;
}

/** One client interface (the module's own, or one of a returned Pyro class). */
export interface SourceClient {
  readonly interfaceName: string;
  readonly descriptorName: string;
  readonly clientTypeName: string;
  readonly doc: readonly string[];
  readonly metadata: RemoteMetadata;
  readonly methods: ReadonlyMap<string, SourceMethod>;
  readonly attrs: ReadonlyMap<string, SourceAttribute>;
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

/** Why `--source` could not produce types. */
export class SourceTypesError extends Error {
  override readonly name = "SourceTypesError";
}

/** Read the source and type the chosen class. `typeName` is the module's type name. */
export async function readSourceTypes(
  options: SourceOptions,
  typeNameFor: (pythonName: string) => string,
): Promise<SourceTypes> {
  const files = await SourceFiles.load(options.entries);
  const symbols = await Symbols.load(files);
  const rules = new ExposureRules(symbols);
  const warnings: string[] = [];
  for (const file of files.all()) {
    if (file.parsed.errorLines.length > 0) {
      warnings.push(
        `${file.file}: could not parse line(s) ${file.parsed.errorLines.slice(0, 5).join(", ")}; ` +
          "members defined there may be missing",
      );
    }
  }
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

  // One pyright run for every exposed class that needs it: returned Pyro classes included.
  const exposedClasses = symbols.classes().filter((info) => rules.isExposed(info));
  const inferred = new Map<string, PyType>();
  let provenanceInference = "";
  if (options.infer) {
    const requests = inferenceRequests(
      exposedClasses.map((info) => rules.exposure(info)),
      members,
    );
    if (requests.length > 0) {
      const outcome = await inferTypes(files.all(), requests);
      if (outcome.ok) {
        for (const request of requests) {
          const printed = outcome.types.get(request.key);
          if (printed !== undefined)
            inferred.set(request.key, types.readPrinted(request.info.file, printed));
        }
        provenanceInference = `, inferred by pyright ${outcome.version}`;
      } else {
        warnings.push(`type inference skipped: ${outcome.reason}`);
      }
    }
  }

  const shapes = new ClassShapes(symbols, types);
  const wires = new WireTypes(options.serializer, shapes, rules, options.classOverrides);
  const mainName = typeNameFor(chosen.name);
  const names = new TypeNames(moduleNames(mainName));
  const clientNames = new Map<
    string,
    { interfaceName: string; descriptorName: string; clientTypeName: string }
  >();
  clientNames.set(chosen.qualname, {
    interfaceName: mainName,
    descriptorName: `${mainName}Descriptor`,
    clientTypeName: `${mainName}Client`,
  });

  // Type the main class, then every Pyro class its results return, until none is new.
  const pending: ClassExposure[] = [exposure];
  const wired = new Map<string, WiredClass>();
  while (pending.length > 0) {
    const current = pending.shift()!;
    if (wired.has(current.info.qualname)) continue;
    const entry = wireClass(
      current,
      members,
      wires,
      inferred,
      current === exposure ? options.metadata : undefined,
      warnings,
    );
    wired.set(current.info.qualname, entry);
    for (const info of entry.clients) {
      if (clientNames.has(info.qualname)) continue;
      const interfaceName = names.allocate(info.name);
      const descriptorName = names.allocate(`${interfaceName}Descriptor`);
      const clientTypeName = names.allocate(`${interfaceName}Client`);
      clientNames.set(info.qualname, { interfaceName, descriptorName, clientTypeName });
      pending.push(rules.exposure(info));
    }
  }
  warnings.push(...wires.warnings);

  // Name the declarations: a parameter form shares its result form's name when they match.
  const declarations = wires.declarations();
  const typeNames = new Map<string, string>();
  const schemaNames = new Map<string, string>();
  const shared = new Map<string, string>();
  for (const declaration of declarations) {
    const base = declaration.key.slice(0, declaration.key.lastIndexOf("|"));
    if (declaration.direction === "param") {
      const resultForm = declarations.find((d) => d.key === `${base}|result`);
      if (resultForm !== undefined && sameShape(resultForm.body, declaration.body)) {
        shared.set(declaration.key, resultForm.key);
        continue;
      }
    }
  }
  for (const declaration of declarations) {
    if (shared.has(declaration.key)) continue;
    const suffix =
      declaration.direction === "param" &&
      declarations.some((d) => d.key === declaration.key.replace(/\|param$/, "|result"))
        ? "Input"
        : "";
    typeNames.set(declaration.key, names.allocate(`${declaration.pythonName}${suffix}`));
  }
  const refName = (ref: NamedRef): string => {
    const id = `${ref.key}|${ref.direction}`;
    return typeNames.get(shared.get(id) ?? id)!;
  };
  const printNames: PrintNames = {
    type: refName,
    client: (info) => clientNames.get(info.qualname)!.clientTypeName,
  };
  const schemaName = (ref: NamedRef): string => {
    const id = `${ref.key}|${ref.direction}`;
    let name = schemaNames.get(id);
    if (name === undefined) {
      name = names.allocate(`${refName(ref)}Schema`);
      schemaNames.set(id, name);
    }
    return name;
  };

  const helpers = new Set<SchemaHelper>();
  const clients: SourceClient[] = [];
  let main: SourceClient | undefined;
  for (const [qualname, entry] of wired) {
    const client = printClient(
      entry,
      clientNames.get(qualname)!,
      printNames,
      options.validate ? (w) => printSchema(w, schemaName, helpers) : undefined,
      (info) => clientNames.get(info.qualname)!.descriptorName,
    );
    if (qualname === chosen.qualname) main = client;
    else clients.push(client);
  }

  const declarationText = declarations
    .filter((d) => !shared.has(d.key))
    .map((d) => ({ name: typeNames.get(d.key)!, d }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map(({ name, d }) => declare(name, d.body, d.direction, d.docstring, printNames));
  const schemas: string[] = [];
  if (options.validate) {
    // Print every schema a check refers to (printing may name more; repeat until done).
    const printed = new Set<string>();
    let progress = true;
    while (progress) {
      progress = false;
      for (const declaration of declarations) {
        if (!schemaNames.has(declaration.key) || printed.has(declaration.key)) continue;
        printed.add(declaration.key);
        progress = true;
        // Typed as z.ZodType: a schema may refer to itself (a recursive TypedDict).
        schemas.push(
          `const ${schemaNames.get(declaration.key)!}: z.ZodType = ${printSchema(declaration.body, schemaName, helpers)};`,
        );
      }
    }
    schemas.sort();
    schemas.unshift(...[...helpers].sort().map((helper) => SCHEMA_HELPERS[helper]));
  }

  const digest = files.digest().slice(0, 12);
  const count = files.all().length;
  return {
    qualname: chosen.qualname,
    pythonName: chosen.name,
    generation: exposure.generation,
    main: main!,
    clients: clients.sort((a, b) => (a.interfaceName < b.interfaceName ? -1 : 1)),
    declarations: declarationText,
    validate: options.validate,
    schemas,
    warnings,
    provenance: `python source sha256:${digest} (${count} file${count === 1 ? "" : "s"})${provenanceInference}`,
    files: files.all().map((file) => file.file),
  };
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

/** Pick the class: `--class`, else the one matching the daemon's names, else the only one. */
function chooseClass(
  symbols: Symbols,
  rules: ExposureRules,
  files: SourceFiles,
  options: SourceOptions,
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

function inferenceRequests(
  exposures: readonly ClassExposure[],
  members: MemberTypes,
): InferenceRequest[] {
  // Each member is probed on the class that exposes it (inherited ones included).
  const requests: InferenceRequest[] = [];
  for (const { info, methods, attrs } of exposures) {
    for (const method of methods) {
      if (method.oneway || !members.needsInference(method.fn)) continue;
      requests.push({
        key: inferenceKey(info.qualname, method.name),
        info,
        member: method.name,
        kind: "result",
      });
    }
    for (const attr of attrs) {
      if (attr.getter === undefined || !members.needsInference(attr.getter)) continue;
      requests.push({
        key: inferenceKey(info.qualname, attr.name),
        info,
        member: attr.name,
        kind: "value",
      });
    }
  }
  return requests;
}

/** A class with every member's types mapped to wire types. */
interface WiredClass {
  readonly exposure: ClassExposure;
  readonly metadata: RemoteMetadata;
  readonly methods: Map<
    string,
    { typed: TypedMethod; params: WiredParam[]; result: Wire; items: Wire | undefined }
  >;
  readonly attrs: Map<
    string,
    {
      type: Wire;
      readonly: boolean;
      knowledge: "known" | "partly" | "unknown";
      doc: readonly string[];
    }
  >;
  readonly clients: ClassInfo[];
}

interface WiredParam {
  readonly name: string;
  readonly kind: TypedMethod["params"][number]["kind"];
  readonly type: Wire;
  readonly optional: boolean;
  readonly known: boolean;
}

function wireClass(
  exposure: ClassExposure,
  members: MemberTypes,
  wires: WireTypes,
  inferred: ReadonlyMap<string, PyType>,
  reported: RemoteMetadata | undefined,
  warnings: string[],
): WiredClass {
  const cls = exposure.info.qualname;
  const byKey = new Map<string, PyType>();
  for (const [key, type] of inferred) byKey.set(key, type);
  const clients: ClassInfo[] = [];
  const collect = (wire: Wire): void => {
    if (wire.k === "client" && !clients.includes(wire.info)) clients.push(wire.info);
    if (wire.k === "union") wire.members.forEach(collect);
  };
  const methods: WiredClass["methods"] = new Map();
  for (const method of exposure.methods) {
    const typed = members.method(method, exposure.info, byKey);
    const where = `${cls}.${method.name}`;
    const params = typed.params.map((param) => ({
      name: param.name,
      kind: param.kind,
      type: wires.wire(param.type, "param", `${where} parameter ${param.name}`),
      optional: param.hasDefault,
      known: param.type.kind !== "unknown" && knowledge(param.type) === "known",
    }));
    let result: Wire;
    let items: Wire | undefined;
    // A oneway call resolves once sent: nothing comes back, whatever Python returns.
    if (typed.oneway || typed.result.kind === "none") result = { k: "void" };
    else result = wires.wire(typed.result, "result", `${where} result`);
    if (result.k === "iterable") items = result.item;
    collect(result);
    methods.set(method.name, { typed, params, result, items });
  }
  const attrs: WiredClass["attrs"] = new Map();
  for (const attr of exposure.attrs) {
    const typed = members.attribute(attr, exposure.info, byKey);
    const type = wires.wire(typed.type, "result", `${cls}.${attr.name}`);
    collect(type);
    attrs.set(attr.name, {
      type,
      readonly: typed.readonly,
      knowledge: knowledge(typed.type),
      doc: memberDoc({ kind: "attribute", doc: typed.doc, readonly: typed.readonly }),
    });
  }
  const metadata: RemoteMetadata = {
    methods: exposure.methods.map((m) => m.name),
    oneway: exposure.methods.filter((m) => m.oneway).map((m) => m.name),
    attrs: exposure.attrs.map((a) => a.name),
  };
  if (reported !== undefined) warnings.push(...disagreements(cls, metadata, reported));
  return { exposure, metadata, methods, attrs, clients };
}

/** Every difference between what the source exposes and what the daemon reports. */
function disagreements(cls: string, source: RemoteMetadata, daemon: RemoteMetadata): string[] {
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

function printClient(
  entry: WiredClass,
  names: { interfaceName: string; descriptorName: string; clientTypeName: string },
  printNames: PrintNames,
  schema: ((wire: Wire) => string) | undefined,
  descriptorOf: (info: ClassInfo) => string,
): SourceClient {
  const clientOf = (wire: Wire): string | undefined => {
    if (wire.k === "client") return descriptorOf(wire.info);
    if (wire.k === "union") {
      const found = wire.members.filter((m) => m.k === "client");
      return found.length === 1 ? clientOf(found[0]!) : undefined;
    }
    return undefined;
  };
  const methods = new Map<string, SourceMethod>();
  for (const [name, method] of entry.methods) {
    const { typed } = method;
    const params = emitParams(method.params, printNames);
    const returns =
      method.result.k === "void" ? "void" : printType(method.result, printNames, "result");
    const known = [...(typed.oneway ? [] : [typed.result]), ...typed.params.map((p) => p.type)].map(
      knowledge,
    );
    const allKnown = known.every((k) => k === "known");
    const noneKnown = known.every((k) => k === "unknown");
    methods.set(name, {
      params,
      returns,
      doc: memberDoc({ kind: "method", method: typed, paramNames: params.map((p) => p.name) }),
      knowledge: allKnown ? "known" : noneKnown ? "unknown" : "partly",
      check:
        schema === undefined || typed.oneway
          ? undefined
          : {
              value: schema(method.result),
              ...(method.items === undefined ? {} : { items: schema(method.items) }),
            },
      client: clientOf(method.result),
      positionalNames: positionalNames(method.params),
    });
  }
  const attrs = new Map<string, SourceAttribute>();
  for (const [name, attr] of entry.attrs) {
    attrs.set(name, {
      type: printType(attr.type, printNames, "result"),
      readonly: attr.readonly,
      doc: attr.doc,
      knowledge: attr.knowledge,
      check: schema === undefined ? undefined : schema(attr.type),
      client: clientOf(attr.type),
    });
  }
  const docstring = entry.exposure.info.cls.docstring;
  return {
    ...names,
    doc: memberDoc({ kind: "class", docstring }),
    metadata: entry.metadata,
    methods,
    attrs,
  };
}

function positionalNames(params: readonly WiredParam[]): (string | null)[] | undefined {
  const positional = params.filter((p) => p.kind === "positional" || p.kind === "positional-only");
  const skippable = positional.slice(0, -1).some((p) => p.optional);
  return skippable ? positional.map((p) => (p.kind === "positional" ? p.name : null)) : undefined;
}

/** Python parameters as TypeScript ones: positional, `...rest`, then one `Kwargs` object. */
function emitParams(params: readonly WiredParam[], names: PrintNames): SourceParam[] {
  const out: SourceParam[] = [];
  const used = new Set<string>();
  const safe = (name: string, index: number): string => {
    let candidate = isParameterName(name)
      ? name
      : /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)
        ? `${name}_`
        : `arg${index}`;
    while (used.has(candidate) || candidate === "kwargs") candidate = `${candidate}_`;
    used.add(candidate);
    return candidate;
  };
  const keywordOnly = params.filter((p) => p.kind === "keyword-only");
  const varKeyword = params.find((p) => p.kind === "var-keyword");
  const rest = params.find((p) => p.kind === "var-positional");
  for (const [index, param] of params.entries()) {
    if (param.kind !== "positional" && param.kind !== "positional-only") continue;
    out.push({
      name: safe(param.name, index),
      type: printType(param.type, names, "param"),
      optional: param.optional,
      rest: false,
    });
  }
  let kwargs: string | undefined;
  let kwargsRequired = false;
  if (keywordOnly.length > 0 || varKeyword !== undefined) {
    const fields = keywordOnly.map(
      (p) => `${memberName(p.name)}${p.optional ? "?" : ""}: ${printType(p.type, names, "param")};`,
    );
    if (varKeyword !== undefined) {
      // TypeScript wants the named keys' types inside the index signature's type.
      const types = [varKeyword, ...keywordOnly].map((p) => printType(p.type, names, "param"));
      if (keywordOnly.some((p) => p.optional)) types.push("undefined");
      const index = types.includes("unknown") ? "unknown" : [...new Set(types)].join(" | ");
      fields.push(`[key: string]: ${index};`);
    }
    kwargs = `pyrogen.Kwargs<{ ${fields.join(" ")} }>`;
    kwargsRequired = keywordOnly.some((p) => !p.optional);
  }
  if (rest !== undefined) {
    const item = printType(rest.type, names, "param");
    const element = /[|&]/.test(item) ? `(${item})` : item;
    const type =
      kwargs === undefined
        ? `${element}[]`
        : kwargsRequired
          ? `[...${element}[], ${kwargs}]`
          : `${element}[] | [...${element}[], ${kwargs}]`;
    out.push({ name: safe(rest.name, params.indexOf(rest)), type, optional: false, rest: true });
  } else if (kwargs !== undefined) {
    out.push({ name: "kwargs", type: kwargs, optional: !kwargsRequired, rest: false });
  }
  // TypeScript allows no required parameter after an optional one; keep Python's order by
  // making earlier ones optional only where Python has defaults (a later required one is a
  // keyword-only parameter, which lives in the kwargs object).
  return out;
}

function declare(
  name: string,
  body: Wire,
  direction: "result" | "param",
  docstring: string | undefined,
  names: PrintNames,
): string {
  const doc = memberDoc({ kind: "class", docstring });
  const comment =
    doc.length === 0 ? "" : `/**\n${doc.map((line) => ` * ${line}`.trimEnd()).join("\n")}\n */\n`;
  const text = printType(body, names, direction);
  if (body.k === "object" && text.startsWith("{"))
    return `${comment}export interface ${name} ${text}`;
  return `${comment}export type ${name} = ${text};`;
}

/** Structural equality of two wire bodies, ignoring which direction named refs travel. */
function sameShape(a: Wire, b: Wire): boolean {
  const normalize = (wire: Wire): string =>
    JSON.stringify(wire, (key, value: unknown) => {
      if (key === "direction") return undefined;
      if (key === "info") return (value as ClassInfo).qualname;
      return typeof value === "bigint" ? `${value}n` : value;
    });
  return normalize(a) === normalize(b);
}
