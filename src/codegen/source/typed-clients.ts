/**
 * One exposed class as a client interface: each member's Python types mapped to wire types
 * for the module's serializer (`wireClass`), then printed as TypeScript signatures, TSDoc,
 * result checks and the clients returned proxies become (`printClient`).
 */
import type { RemoteMetadata } from "../metadata.js";
import { isParameterName, memberName } from "../names.js";
import { disagreements } from "./class-choice.js";
import type { ClassExposure } from "./exposure.js";
import type { InferenceRequest } from "./inference.js";
import { memberDoc } from "./member-docs.js";
import { inferenceKey, type MemberTypes, type TypedMethod } from "./member-types.js";
import { knowledge, type PyType } from "./py-types.js";
import type { ClassInfo } from "./symbols.js";
import { printType, type PrintNames } from "./wire-printers.js";
import type { Wire, WireTypes } from "./wire-types.js";

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

/** What pyright must infer for these classes: members with neither annotation nor docstring type. */
export function inferenceRequests(
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
export interface WiredClass {
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

export function wireClass(
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

export function printClient(
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
