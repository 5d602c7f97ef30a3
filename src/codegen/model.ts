/**
 * The model of one generated module: plain data computed from metadata, options and (with
 * `--source`) the Python source's types, with every name already made safe (see
 * `names.ts`). The emitter only places these strings.
 */
import { createHash } from "node:crypto";
import type { SerializerName } from "@pyrogen/runtime";
import type { RemoteMetadata } from "./metadata.js";
import { isReservedMember, literal, memberName, reservedReason } from "./names.js";
import type { ClientReference, MethodTypes, TypeOverrides } from "./overrides.js";
import type {
  SourceAttribute,
  SourceClient,
  SourceMethod,
  SourceTypes,
} from "./source/source-types.js";

/** Options that shape a generated module (and are recorded in its banner). */
export interface ModuleOptions {
  /** The type name (`MusicServer`); the factory is `connect<Name>`. */
  readonly typeName: string;
  /** The URI the factory connects to by default; none for a module from source alone. */
  readonly uri: string | undefined;
  /** Type overrides for chosen methods and attributes (they win over the source's types). */
  readonly types?: TypeOverrides | undefined;
  /** Types read from the Python source (`--source`). */
  readonly source?: SourceTypes | undefined;
  /** The serializer the source's types were mapped for. */
  readonly serializer?: SerializerName | undefined;
  /**
   * The Pyro generation (4, 5) of the daemon (or the source's decorators) the module was
   * generated from; recorded in the banner and descriptor when it is not Pyro4.
   */
  readonly protocol?: number | undefined;
}

/** One remote method as emitted. */
export interface MethodModel {
  /** The property name in source (bare identifier or string literal). */
  readonly member: string;
  readonly oneway: boolean;
  /** The parameters, in order. */
  readonly params: readonly ParameterModel[];
  /** The type a call resolves to: `void` for oneway methods, else the known type or `unknown`. */
  readonly returns: string;
  /** TSDoc lines from the source; empty for the standard comment. */
  readonly doc: readonly string[];
  /** How much of its signature has types. */
  readonly knowledge: Knowledge;
}

/** How much of a member's type is known. */
export type Knowledge = "known" | "partly" | "unknown";

/** One parameter of an emitted method. */
export interface ParameterModel {
  readonly name: string;
  readonly type: string;
  readonly optional: boolean;
  readonly rest: boolean;
}

/** One remote attribute as emitted. */
export interface AttributeModel {
  readonly member: string;
  readonly type: string;
  readonly doc: readonly string[];
  readonly knowledge: Knowledge;
}

/** A descriptor's contents, as source text. */
export interface DescriptorModel {
  /** The URI string literal, or undefined for none. */
  readonly uri: string | undefined;
  /** String literals. */
  readonly methods: readonly string[];
  readonly oneway: readonly string[];
  readonly attrs: readonly string[];
  /** The serializer's name as a string literal, when types depend on it. */
  readonly serializer: string | undefined;
  /** The Pyro generation generated from, when not Pyro4. */
  readonly protocol: number | undefined;
  /** `key: { value: schema, items: schema }` entries (with `--validate`). */
  readonly checks: readonly string[];
  /** `key: () => OtherDescriptor` entries for results that are proxies. */
  readonly clients: readonly string[];
  /** `key: Object.freeze([names])` entries: Python's positional parameter names. */
  readonly parameters: readonly string[];
}

/** A client interface with its descriptor (the module's own, or a returned object's). */
export interface InterfaceModel {
  readonly typeName: string;
  readonly descriptorName: string;
  readonly clientTypeName: string;
  readonly doc: readonly string[];
  readonly descriptor: DescriptorModel;
  readonly methods: readonly MethodModel[];
  readonly attrs: readonly AttributeModel[];
  /** String literals of the attributes `$set` may write; undefined = all of them. */
  readonly writable: readonly string[] | undefined;
}

/** Everything the emitter needs. */
export interface ClientModel extends InterfaceModel {
  readonly version: string;
  /** Clients of objects the module's methods return (from the source). */
  readonly returnedClients: readonly InterfaceModel[];
  /** Other generated modules whose clients methods return (`returns` naming a module). */
  readonly moduleImports: readonly ModuleImport[];
  /** Named types from the source (`export interface Song {…}`). */
  readonly declarations: readonly string[];
  /** With `--validate`: results are checked, and the module imports zod. */
  readonly validate: boolean;
  /** zod schema statements (with `--validate`). */
  readonly schemas: readonly string[];
  /** Banner lines (comment-safe). */
  readonly banner: readonly string[];
  /** Remote names that were not emitted as members, override names nothing matched, source notes. */
  readonly warnings: readonly string[];
  /** How typed the result is, for the CLI's summary line. */
  readonly summary: TypingSummary;
}

/** `import * as alias from "module"` of another generated module. */
export interface ModuleImport {
  /** A safe identifier: `counterModule`. */
  readonly alias: string;
  /** The module specifier as a string literal. */
  readonly module: string;
}

/** How many members got types. */
export interface TypingSummary {
  readonly methods: number;
  readonly typed: number;
  readonly partly: number;
  readonly attrs: number;
  readonly attrsTyped: number;
}

/** Build the model. `version` is pyrogen's version, recorded in the banner and descriptor. */
export function buildModel(
  metadata: RemoteMetadata,
  options: ModuleOptions,
  version: string,
): ClientModel {
  const warnings: string[] = [...(options.source?.warnings ?? [])];
  const source = options.source;
  const moduleImports = new ModuleAliases();
  const main = buildInterface(
    metadata,
    {
      typeName: options.typeName,
      descriptorName: `${options.typeName}Descriptor`,
      clientTypeName: `${options.typeName}Client`,
    },
    options.uri,
    source?.main,
    options.types,
    options.serializer,
    warnings,
    moduleImports,
  );
  const returnedClients = (source?.clients ?? []).map((client) =>
    buildInterface(
      client.metadata,
      client,
      undefined,
      client,
      undefined,
      options.serializer,
      warnings,
      moduleImports,
    ),
  );
  const pyro5 = options.protocol === 5;
  const recorded = [
    ...(options.types === undefined ? [] : [describeTypes(options.types)]),
    ...(source === undefined
      ? []
      : [
          `serializer=${options.serializer ?? "serpent"}`,
          ...(source.validate ? ["validate"] : []),
          source.provenance,
        ]),
  ];
  return {
    ...main,
    descriptor: { ...main.descriptor, protocol: pyro5 ? 5 : undefined },
    doc: source?.main.doc ?? [],
    version,
    returnedClients,
    moduleImports: moduleImports.list(),
    declarations: source?.declarations ?? [],
    validate: source?.validate ?? false,
    schemas: source?.schemas ?? [],
    banner: [
      `@generated by pyrogen ${version}. Do not edit: regenerate it with the pyrogen CLI.`,
      `source: ${options.uri === undefined ? "Python source only" : literal(options.uri)}` +
        (pyro5 ? " (Pyro5)" : ""),
      `options: name=${options.typeName}${recorded.map((item) => `, ${item}`).join("")}`,
    ],
    warnings,
    summary: summarize(main),
  };
}

interface InterfaceNames {
  readonly typeName?: string;
  readonly interfaceName?: string;
  readonly descriptorName: string;
  readonly clientTypeName: string;
}

function buildInterface(
  metadata: RemoteMetadata,
  names: InterfaceNames,
  uri: string | undefined,
  source: SourceClient | undefined,
  overrides: TypeOverrides | undefined,
  serializer: SerializerName | undefined,
  warnings: string[],
  modules: ModuleAliases,
): InterfaceModel {
  const attrNames = metadata.attrs;
  const attrSet = new Set(attrNames);
  // Pyro's own client looks attributes up before methods; a name in both is an attribute.
  const methodNames = metadata.methods.filter((name) => !attrSet.has(name));
  const onewaySet = new Set(metadata.oneway);
  const methodTypes = overrides?.methods ?? {};
  const attrTypes = overrides?.attrs ?? {};

  const emitted = (name: string, kind: string): boolean => {
    if (!isReservedMember(name)) return true;
    warnings.push(
      `remote ${kind} ${literal(name)} is not a member of the client (${reservedReason(name)}); ` +
        `call it through $proxy`,
    );
    return false;
  };

  const sourceMethod = (name: string): SourceMethod | undefined => source?.methods.get(name);
  const sourceAttr = (name: string): SourceAttribute | undefined => source?.attrs.get(name);

  const methods = methodNames
    .filter((name) => emitted(name, "method"))
    .map((name): MethodModel => {
      const override = Object.hasOwn(methodTypes, name) ? methodTypes[name] : undefined;
      const oneway = onewaySet.has(name);
      const fromSource = sourceMethod(name);
      return {
        member: memberName(name),
        oneway,
        params: parameters(override, fromSource),
        returns: oneway ? "void" : returnType(override, fromSource, modules),
        doc: fromSource?.doc ?? [],
        knowledge: methodKnowledge(override, fromSource, oneway),
      };
    });

  const attrs = attrNames
    .filter((name) => emitted(name, "attribute"))
    .map((name): AttributeModel => {
      const override = Object.hasOwn(attrTypes, name) ? attrTypes[name] : undefined;
      const fromSource = sourceAttr(name);
      return {
        member: memberName(name),
        type: override ?? fromSource?.type ?? "unknown",
        doc: fromSource?.doc ?? [],
        knowledge: override !== undefined ? "known" : (fromSource?.knowledge ?? "unknown"),
      };
    });

  for (const name of Object.keys(methodTypes)) {
    if (!methodNames.includes(name)) {
      warnings.push(`type override for method ${literal(name)}: the object has no such method`);
    }
  }
  for (const name of Object.keys(attrTypes)) {
    if (!attrSet.has(name)) {
      warnings.push(
        `type override for attribute ${literal(name)}: the object has no such attribute`,
      );
    }
  }

  const checks: string[] = [];
  const clients: string[] = [];
  const parameterNames: string[] = [];
  for (const name of methodNames) {
    const names = sourceMethod(name)?.positionalNames;
    const overridden = Object.hasOwn(methodTypes, name) && methodTypes[name]?.params !== undefined;
    if (names === undefined || overridden || isReservedMember(name)) continue;
    const list = names.map((n) => (n === null ? "null" : literal(n))).join(", ");
    parameterNames.push(`${descriptorKey(name)}: Object.freeze([${list}])`);
  }
  for (const name of [...methodNames, ...attrNames]) {
    if (isReservedMember(name)) continue;
    const isAttr = attrSet.has(name);
    const overridden = isAttr ? Object.hasOwn(attrTypes, name) : overridesResult(methodTypes, name);
    const reference = isAttr ? undefined : clientReference(methodTypes, name);
    if (reference !== undefined && !onewaySet.has(name)) {
      const alias = modules.alias(reference.module);
      clients.push(`${descriptorKey(name)}: () => ${alias}.${reference.client}Descriptor`);
    }
    if (overridden) continue; // the source's check or client would contradict the override
    const attrCheck = sourceAttr(name)?.check;
    const check = isAttr
      ? attrCheck === undefined
        ? undefined
        : { value: attrCheck }
      : sourceMethod(name)?.check;
    if (check !== undefined && (isAttr || !onewaySet.has(name))) {
      const parts = [
        ...(check.value === undefined ? [] : [`value: ${check.value}`]),
        ...(check.items === undefined ? [] : [`items: ${check.items}`]),
      ];
      if (parts.length > 0)
        checks.push(`${descriptorKey(name)}: Object.freeze({ ${parts.join(", ")} })`);
    }
    const client = isAttr ? sourceAttr(name)?.client : sourceMethod(name)?.client;
    if (client !== undefined) clients.push(`${descriptorKey(name)}: () => ${client}`);
  }

  // With the source, `$set` accepts only attributes that have a setter (unknown ones stay).
  const writable =
    source === undefined
      ? undefined
      : attrNames
          .filter((name) => !isReservedMember(name) && source.attrs.get(name)?.readonly !== true)
          .map(literal);

  return {
    typeName: names.typeName ?? names.interfaceName!,
    descriptorName: names.descriptorName,
    clientTypeName: names.clientTypeName,
    doc: source?.doc ?? [],
    descriptor: {
      uri: uri === undefined ? undefined : literal(uri),
      methods: methodNames.map(literal),
      oneway: methodNames.filter((name) => onewaySet.has(name)).map(literal),
      attrs: attrNames.map(literal),
      serializer: source === undefined ? undefined : literal(serializer ?? "serpent"),
      protocol: undefined,
      checks,
      clients,
      parameters: parameterNames,
    },
    methods,
    attrs,
    writable,
  };
}

function overridesResult(
  methodTypes: Readonly<Record<string, MethodTypes>>,
  name: string,
): boolean {
  const override = Object.hasOwn(methodTypes, name) ? methodTypes[name] : undefined;
  return override?.returns !== undefined || override?.yields !== undefined;
}

/** Parameters: the override's when it gives them, else the source's, else `...args`. */
function parameters(
  override: MethodTypes | undefined,
  source: SourceMethod | undefined,
): ParameterModel[] {
  if (override?.params !== undefined) {
    const params: ParameterModel[] = override.params.map((p) => ({
      name: p.name,
      type: p.type,
      optional: p.optional === true,
      rest: false,
    }));
    if (override.kwargs !== undefined) {
      params.push({
        name: "kwargs",
        type: `pyrogen.Kwargs<${override.kwargs}>`,
        optional: true,
        rest: false,
      });
    }
    return params;
  }
  if (source !== undefined) return [...source.params];
  return [{ name: "args", type: "unknown[]", optional: false, rest: true }];
}

/** The config's `returns` of `name` when it names another generated module's client. */
function clientReference(
  methodTypes: Readonly<Record<string, MethodTypes>>,
  name: string,
): ClientReference | undefined {
  const returns = Object.hasOwn(methodTypes, name) ? methodTypes[name]?.returns : undefined;
  return typeof returns === "object" ? returns : undefined;
}

/** The result type: the override's, else the source's, else `unknown`. */
function returnType(
  override: MethodTypes | undefined,
  source: SourceMethod | undefined,
  modules: ModuleAliases,
): string {
  const returns = override?.returns;
  if (typeof returns === "object")
    return `${modules.alias(returns.module)}.${returns.client}Client`;
  // A generator call resolves to a remote iterator; `$iter` then yields its items.
  if (returns !== undefined) return returns;
  if (override?.yields !== undefined) return `AsyncIterable<${override.yields}>`;
  return source?.returns ?? "unknown";
}

/** A descriptor key for a member name: `__proto__` computed, so it is an own key. */
function descriptorKey(name: string): string {
  return name === "__proto__" ? `[${literal(name)}]` : memberName(name);
}

/** A method's knowledge: the source's, where config overrides did not replace it. */
function methodKnowledge(
  override: MethodTypes | undefined,
  source: SourceMethod | undefined,
  oneway: boolean,
): Knowledge {
  const paramsGiven = override?.params !== undefined;
  const resultGiven = oneway || override?.returns !== undefined || override?.yields !== undefined;
  if (paramsGiven && resultGiven) return "known";
  if (source === undefined) return paramsGiven || resultGiven ? "partly" : "unknown";
  if (source.knowledge === "known" || paramsGiven || resultGiven) {
    return source.knowledge === "unknown" ? "partly" : source.knowledge;
  }
  return source.knowledge;
}

function summarize(model: InterfaceModel): TypingSummary {
  return {
    methods: model.methods.length,
    typed: model.methods.filter((m) => m.knowledge === "known").length,
    partly: model.methods.filter((m) => m.knowledge === "partly").length,
    attrs: model.attrs.length,
    attrsTyped: model.attrs.filter((a) => a.knowledge === "known").length,
  };
}

/** A one-line summary of the overrides for the banner; the digest changes with any edit. */
function describeTypes(types: TypeOverrides): string {
  const methods = Object.keys(types.methods ?? {}).length;
  const attrs = Object.keys(types.attrs ?? {}).length;
  const digest = createHash("sha256").update(JSON.stringify(types)).digest("hex").slice(0, 12);
  return `types for ${methods} method(s) and ${attrs} attribute(s) (sha256:${digest})`;
}

/**
 * The namespace aliases of imported generated modules, one per module: `./counter.js` →
 * `counterModule` (numbered when two modules would share one). The specifiers were checked
 * against a strict pattern (overrides.ts), so an alias is always a plain identifier.
 */
class ModuleAliases {
  readonly #byModule = new Map<string, string>();

  alias(module: string): string {
    const known = this.#byModule.get(module);
    if (known !== undefined) return known;
    const base = module
      .slice(module.lastIndexOf("/") + 1)
      .replace(/\.js$/, "")
      .split(/[^A-Za-z0-9]+/)
      .filter((part) => part !== "")
      .map((part, index) => (index === 0 ? part : part[0]!.toUpperCase() + part.slice(1)))
      .join("");
    const stem = /^[A-Za-z]/.test(base) ? base : `m${base}`;
    const taken = new Set(this.#byModule.values());
    let alias = `${stem}Module`;
    for (let n = 2; taken.has(alias); n++) alias = `${stem}Module${n}`;
    this.#byModule.set(module, alias);
    return alias;
  }

  /** The imports, in a stable order (by specifier). */
  list(): ModuleImport[] {
    return [...this.#byModule]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([module, alias]) => ({ alias, module: literal(module) }));
  }
}
