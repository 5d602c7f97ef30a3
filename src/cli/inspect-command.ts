/**
 * `pyrogen inspect <uri>`: what an object exposes — methods, which are oneway, attributes —
 * as a table or, with `--json`, as JSON. With `--source`, also the TypeScript signature the
 * Python source gives each member (and without a URI, the names come from the source).
 */
import { typeNameFor } from "../codegen/names.js";
import type { RemoteMetadata } from "../codegen/metadata.js";
import type { SourceTypes } from "../codegen/source/source-types.js";
import { pyroConfigFor, type ConnectionSettings } from "./connection-options.js";
import { displayName, table } from "./display.js";
import { CliError, EXIT, type ExitCode } from "./exit-codes.js";
import { fetchMetadata } from "./fetch-metadata.js";

/** The flags of `inspect`. */
export interface InspectFlags extends ConnectionSettings {
  json?: boolean;
  source?: string[];
  class?: string;
  infer?: boolean;
}

/** Run `inspect`; resolves to the exit code. */
export async function runInspect(uri: string | undefined, flags: InspectFlags): Promise<ExitCode> {
  const { json, source: entries, class: className, infer, ...settings } = flags;
  if (uri === undefined && entries === undefined) {
    throw new CliError("inspect needs a URI, or --source to read the names from", EXIT.usage);
  }
  if (className !== undefined && entries === undefined) {
    throw new CliError("--class needs --source <file-or-folder>", EXIT.usage);
  }
  const fetched = uri === undefined ? undefined : await fetchMetadata(uri, settings);
  const source =
    entries === undefined
      ? undefined
      : await readSource(entries, className, infer !== false, settings, fetched);
  const metadata = fetched ?? source!.main.metadata;
  const shownAs = uri ?? `${source!.qualname} (from the source)`;
  const rows = members(metadata, source);
  if (json === true) {
    const out = {
      uri: uri ?? null,
      ...metadata,
      ...(source === undefined
        ? {}
        : { signatures: Object.fromEntries(rows.map((r) => [r.name, r.signature])) }),
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return EXIT.ok;
  }
  const header = source === undefined ? ["name", "kind"] : ["name", "kind", "signature"];
  const cells = rows.map((row) =>
    source === undefined
      ? [displayName(row.name), row.kind]
      : [displayName(row.name), row.kind, row.signature ?? "(not in the source)"],
  );
  process.stdout.write(`${shownAs}\n\n${table(header, cells)}`);
  for (const warning of source?.warnings ?? [])
    process.stderr.write(`pyrogen: warning: ${warning}\n`);
  return EXIT.ok;
}

async function readSource(
  entries: string[],
  className: string | undefined,
  infer: boolean,
  settings: ConnectionSettings,
  metadata: RemoteMetadata | undefined,
): Promise<SourceTypes> {
  const { readSourceTypes, SourceTypesError } = await import("../codegen/source/source-types.js");
  const { SourceError } = await import("../codegen/source/source-files.js");
  try {
    return await readSourceTypes(
      {
        entries,
        className,
        serializer: pyroConfigFor(settings).get("SERIALIZER"),
        infer,
        validate: false,
        classOverrides: {},
        metadata,
      },
      typeNameFor,
    );
  } catch (error) {
    if (error instanceof SourceTypesError || error instanceof SourceError) {
      throw new CliError(error.message, EXIT.usage, { cause: error });
    }
    throw error;
  }
}

interface Row {
  readonly name: string;
  readonly kind: string;
  readonly signature: string | undefined;
}

function members(metadata: RemoteMetadata, source: SourceTypes | undefined): Row[] {
  const oneway = new Set(metadata.oneway);
  const attrs = new Set(metadata.attrs);
  const methodRows = metadata.methods
    .filter((name) => !attrs.has(name))
    .map((name): Row => {
      const typed = source?.main.methods.get(name);
      const params = typed?.params
        .map((p) => `${p.rest ? "..." : ""}${p.name}${p.optional ? "?" : ""}: ${p.type}`)
        .join(", ");
      return {
        name,
        kind: oneway.has(name) ? "method (oneway)" : "method",
        signature:
          typed === undefined
            ? undefined
            : `(${params}) => ${oneway.has(name) ? "void" : typed.returns}`,
      };
    });
  const attrRows = metadata.attrs.map((name): Row => {
    const typed = source?.main.attrs.get(name);
    return {
      name,
      kind: typed?.readonly === true ? "attribute (read-only)" : "attribute",
      signature: typed?.type,
    };
  });
  return [...methodRows, ...attrRows];
}
