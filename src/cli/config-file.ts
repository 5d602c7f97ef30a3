/**
 * The config file (`pyrogen.config.json`): many targets generated in one run. Validated with
 * zod; every error names the file, the target and the field. Relative paths in it are
 * relative to the file's folder.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { typeNameProblem } from "../codegen/names.js";
import { typeOverridesSchema } from "../codegen/overrides.js";
import { connectionSchema } from "./connection-options.js";
import { CliError, EXIT } from "./exit-codes.js";
import { parseJsonText } from "./json-text.js";
import { fileError } from "./write-file.js";

const targetSchema = connectionSchema.extend({
  /** Type name in the module (default: from the object name). */
  name: z
    .string()
    .superRefine((name, ctx) => {
      const problem = typeNameProblem(name);
      if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
    })
    .optional(),
  /** The object to connect to. */
  uri: z.string().min(1).optional(),
  /** Metadata snapshot: read with --offline (or without uri), refreshed after a live fetch. */
  metadata: z.string().min(1).optional(),
  /** The module file to write. */
  out: z.string().min(1),
  /** Parameter, return and attribute types (they win over the source's). */
  types: typeOverridesSchema.optional(),
  /** The server's Python source: a file or folder, or several. */
  source: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  /** With `source`: the class the object is (its name or `module.Name`). */
  class: z.string().min(1).optional(),
  /** With `source`: also emit zod schemas that check each result. */
  validate: z.boolean().optional(),
  /** With `source`: ask pyright where annotations and docstrings say nothing (default true). */
  infer: z.boolean().optional(),
});

/** The config file's schema. */
export const configFileSchema = z.strictObject({
  $schema: z.string().optional(),
  /** Connection settings shared by every target (a target's own fields win). */
  defaults: connectionSchema.optional(),
  targets: z.array(targetSchema).min(1),
});

/** A parsed config file. */
export type ConfigFile = z.infer<typeof configFileSchema>;
/** One target of a config file. */
export type ConfigTarget = z.infer<typeof targetSchema>;

/** A validated config file, with its paths resolved. */
export interface LoadedConfig {
  readonly file: string;
  readonly config: ConfigFile;
}

/** Read and validate a config file; throws a usage {@link CliError} naming file/target/field. */
export async function loadConfigFile(file: string): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw await fileError("read", "config file", file, error, "--config");
  }
  const json = parseJsonText(text);
  if (!json.ok) {
    const { line, column, message } = json.problem;
    throw new CliError(
      `${file}:${line}:${column}: not valid JSON (${message}); the config file is JSON`,
      EXIT.usage,
    );
  }
  const raw = json.value;
  const parsed = configFileSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (issue) => `${file}: ${where(raw, issue.path)}: ${issue.message}`,
    );
    throw new CliError(lines.join("\n"), EXIT.usage);
  }
  const config = parsed.data;
  for (const [index, target] of config.targets.entries()) {
    if (target.uri === undefined && target.metadata === undefined && target.source === undefined) {
      throw new CliError(
        `${file}: ${targetLabel(target, index)}: needs "uri" (to connect), "metadata" (a ` +
          'snapshot) or "source" (the server\'s Python code)',
        EXIT.usage,
      );
    }
    for (const field of ["class", "validate", "infer"] as const) {
      if (target[field] !== undefined && target.source === undefined) {
        throw new CliError(
          `${file}: ${targetLabel(target, index)}, field "${field}": needs "source"`,
          EXIT.usage,
        );
      }
    }
  }
  sameOutputs(file, config.targets);
  const dir = path.dirname(path.resolve(file));
  const resolve = (p: string | undefined): string | undefined =>
    p === undefined ? undefined : path.resolve(dir, p);
  return {
    file,
    config: {
      ...config,
      targets: config.targets.map((t) => ({
        ...t,
        out: resolve(t.out)!,
        metadata: resolve(t.metadata),
        source:
          t.source === undefined
            ? undefined
            : (typeof t.source === "string" ? [t.source] : t.source).map((p) => resolve(p)!),
        tlsCa: resolve(t.tlsCa),
        tlsCert: resolve(t.tlsCert),
        tlsKey: resolve(t.tlsKey),
      })),
    },
  };
}

/** How a target is named in messages: `target 2 "MusicServer"` (1-based). */
export function targetLabel(
  target: { name?: string; uri?: string; out?: string },
  index: number,
): string {
  const label = target.name ?? target.uri ?? target.out;
  return `target ${index + 1}${label === undefined ? "" : ` ${JSON.stringify(label)}`}`;
}

function where(raw: unknown, issuePath: readonly PropertyKey[]): string {
  const [head, index, ...rest] = issuePath;
  if (head === "targets" && typeof index === "number") {
    const targets = (raw as { targets?: unknown[] }).targets;
    const target = Array.isArray(targets) ? targets[index] : undefined;
    const fields =
      typeof target === "object" && target !== null ? (target as Record<string, unknown>) : {};
    const label = targetLabel(
      {
        name: typeof fields["name"] === "string" ? fields["name"] : undefined,
        uri: typeof fields["uri"] === "string" ? fields["uri"] : undefined,
      },
      index,
    );
    return rest.length === 0 ? label : `${label}, field "${rest.map(String).join(".")}"`;
  }
  return issuePath.length === 0 ? "top level" : `field "${issuePath.map(String).join(".")}"`;
}

/** Two targets that write the same module would overwrite each other: refused. */
function sameOutputs(file: string, targets: readonly ConfigTarget[]): void {
  const dir = path.dirname(path.resolve(file));
  const seen = new Map<string, number>();
  for (const [index, target] of targets.entries()) {
    const out = path.resolve(dir, target.out);
    const first = seen.get(out);
    if (first !== undefined) {
      throw new CliError(
        `${file}: ${targetLabel(targets[first]!, first)} and ${targetLabel(target, index)} ` +
          `both write "out" ${JSON.stringify(target.out)}; give each target its own file`,
        EXIT.usage,
      );
    }
    seen.set(out, index);
  }
}
