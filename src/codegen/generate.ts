/**
 * The code generator's entry point: metadata plus options in, module source out.
 * Deterministic: the same metadata and options always give byte-identical output.
 */
import { emitModule } from "./emit.js";
import type { RemoteMetadata } from "./metadata.js";
import { buildModel, type ModuleOptions, type TypingSummary } from "./model.js";
import { VERSION } from "./version.js";

/** A generated module and what the generator has to say about it. */
export interface GeneratedModule {
  /** The module source, formatted. */
  readonly code: string;
  /** Remote names not emitted as members, override names that matched nothing, source notes. */
  readonly warnings: readonly string[];
  /** How many members got types. */
  readonly summary: TypingSummary;
}

/** Generate the client module for an object with `metadata`. */
export async function generateModule(
  metadata: RemoteMetadata,
  options: ModuleOptions,
): Promise<GeneratedModule> {
  const model = buildModel(metadata, options, VERSION);
  return { code: await emitModule(model), warnings: model.warnings, summary: model.summary };
}

export type { ModuleOptions, TypingSummary };
