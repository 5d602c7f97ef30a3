/**
 * The model of one generated module: plain data computed from metadata and options, with
 * every name already made safe (see `names.ts`). The emitter only places these strings.
 */
import { createHash } from "node:crypto";
import type { RemoteMetadata } from "./metadata.js";
import { isReservedMember, literal, memberName, reservedReason } from "./names.js";
import type { TypeOverrides } from "./overrides.js";

/** Options that shape a generated module (and are recorded in its banner). */
export interface ModuleOptions {
  /** The type name (`MusicServer`); the factory is `connect<Name>`. */
  readonly typeName: string;
  /** The URI the factory connects to by default. */
  readonly uri: string;
  /** Type overrides for chosen methods and attributes. */
  readonly types?: TypeOverrides | undefined;
}

/** One remote method as emitted. */
export interface MethodModel {
  /** The property name in source (bare identifier or string literal). */
  readonly member: string;
  readonly oneway: boolean;
  /** The parameters, in order. */
  readonly params: readonly ParameterModel[];
  /** The type a call resolves to: `void` for oneway methods, else the override or `unknown`. */
  readonly returns: string;
}

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
}

/** Everything the emitter needs. */
export interface ClientModel {
  readonly typeName: string;
  readonly version: string;
  /** String literals (already escaped) for the descriptor. */
  readonly descriptor: {
    readonly uri: string;
    readonly methods: readonly string[];
    readonly oneway: readonly string[];
    readonly attrs: readonly string[];
  };
  readonly methods: readonly MethodModel[];
  readonly attrs: readonly AttributeModel[];
  /** Banner lines (comment-safe). */
  readonly banner: readonly string[];
  /** Remote names that were not emitted as members, and override names nothing matched. */
  readonly warnings: readonly string[];
}

/** Build the model. `version` is pyrogen's version, recorded in the banner and descriptor. */
export function buildModel(
  metadata: RemoteMetadata,
  options: ModuleOptions,
  version: string,
): ClientModel {
  const warnings: string[] = [];
  const attrNames = metadata.attrs;
  const attrSet = new Set(attrNames);
  // Pyro's own client looks attributes up before methods; a name in both is an attribute.
  const methodNames = metadata.methods.filter((name) => !attrSet.has(name));
  const onewaySet = new Set(metadata.oneway);
  const methodTypes = options.types?.methods ?? {};
  const attrTypes = options.types?.attrs ?? {};

  const emitted = (name: string, kind: string): boolean => {
    if (!isReservedMember(name)) return true;
    warnings.push(
      `remote ${kind} ${literal(name)} is not a member of the client (${reservedReason(name)}); ` +
        `call it through $proxy`,
    );
    return false;
  };

  const methods = methodNames
    .filter((name) => emitted(name, "method"))
    .map((name): MethodModel => {
      const types = Object.hasOwn(methodTypes, name) ? methodTypes[name] : undefined;
      const oneway = onewaySet.has(name);
      const params: ParameterModel[] = (types?.params ?? []).map((p) => ({
        name: p.name,
        type: p.type,
        optional: p.optional === true,
        rest: false,
      }));
      if (types?.params === undefined) {
        params.push({ name: "args", type: "unknown[]", optional: false, rest: true });
      } else if (types.kwargs !== undefined) {
        params.push({
          name: "kwargs",
          type: `pyrogen.Kwargs<${types.kwargs}>`,
          optional: true,
          rest: false,
        });
      }
      // A generator call resolves to a remote iterator; `$iter` then yields its items.
      const yields = types?.yields === undefined ? undefined : `AsyncIterable<${types.yields}>`;
      return {
        member: memberName(name),
        oneway,
        params,
        returns: oneway ? "void" : (types?.returns ?? yields ?? "unknown"),
      };
    });

  const attrs = attrNames
    .filter((name) => emitted(name, "attribute"))
    .map((name): AttributeModel => ({
      member: memberName(name),
      type: Object.hasOwn(attrTypes, name) ? attrTypes[name]! : "unknown",
    }));

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

  const recorded = options.types === undefined ? "" : `, ${describeTypes(options.types)}`;
  return {
    typeName: options.typeName,
    version,
    descriptor: {
      uri: literal(options.uri),
      methods: methodNames.map(literal),
      oneway: methodNames.filter((name) => onewaySet.has(name)).map(literal),
      attrs: attrNames.map(literal),
    },
    methods,
    attrs,
    banner: [
      `@generated by pyrogen ${version}. Do not edit: regenerate it with the pyrogen CLI.`,
      `source: ${literal(options.uri)}`,
      `options: name=${options.typeName}${recorded}`,
    ],
    warnings,
  };
}

/** A one-line summary of the overrides for the banner; the digest changes with any edit. */
function describeTypes(types: TypeOverrides): string {
  const methods = Object.keys(types.methods ?? {}).length;
  const attrs = Object.keys(types.attrs ?? {}).length;
  const digest = createHash("sha256").update(JSON.stringify(types)).digest("hex").slice(0, 12);
  return `types for ${methods} method(s) and ${attrs} attribute(s) (sha256:${digest})`;
}
