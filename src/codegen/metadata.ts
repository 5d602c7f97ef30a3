/**
 * What a daemon reports about an object (Pyro4's `get_metadata`), and the snapshot file that
 * stores it for offline generation. Both are validated with zod at the edge: a daemon or a
 * file is never trusted to have the right shape.
 */
import { z } from "zod";

/** The remote names of one object: Pyro4's `{methods, oneway, attrs}`. */
export interface RemoteMetadata {
  /** Every exposed callable, oneway ones included. */
  readonly methods: readonly string[];
  /** The subset of `methods` marked `@oneway` on the server. */
  readonly oneway: readonly string[];
  /** Exposed properties (read with `__getattr__`, written with `__setattr__`). */
  readonly attrs: readonly string[];
}

const names = z.union([z.array(z.string()), z.set(z.string())]);

/** Metadata as a daemon may send it: lists, or sets (serpent/marshal `get_metadata`). */
export const remoteMetadataSchema = z.object({
  methods: names,
  oneway: names,
  attrs: names,
});

/** The version tag written into every snapshot file. */
export const SNAPSHOT_FORMAT = "pyrogen-metadata/1";

/** A metadata snapshot: what `--save-metadata` writes and `--metadata` reads. */
export const snapshotSchema = z.strictObject({
  format: z.literal(SNAPSHOT_FORMAT),
  uri: z.string(),
  /** The Pyro generation of the daemon, when not Pyro4 (absent: Pyro4). */
  protocol: z.literal(5).optional(),
  metadata: z.strictObject({
    methods: z.array(z.string()),
    oneway: z.array(z.string()),
    attrs: z.array(z.string()),
  }),
});

/** A parsed snapshot file. */
export type Snapshot = z.infer<typeof snapshotSchema>;

/**
 * Normalize metadata received from a daemon: sorted (Pyro's order is arbitrary, output must
 * be deterministic), duplicates removed, `oneway` restricted to names that are methods.
 * Throws a zod error when the shape is wrong.
 */
export function normalizeMetadata(raw: unknown): RemoteMetadata {
  const parsed = remoteMetadataSchema.parse(raw);
  const methods = sortedUnique(parsed.methods);
  const methodSet = new Set(methods);
  return {
    methods,
    oneway: sortedUnique(parsed.oneway).filter((name) => methodSet.has(name)),
    attrs: sortedUnique(parsed.attrs),
  };
}

/** A snapshot of `metadata` fetched from `uri`, ready to be written as JSON. */
export function toSnapshot(uri: string, metadata: RemoteMetadata, protocol = 4): Snapshot {
  return {
    format: SNAPSHOT_FORMAT,
    uri,
    ...(protocol === 5 ? { protocol } : {}),
    metadata: {
      methods: [...metadata.methods],
      oneway: [...metadata.oneway],
      attrs: [...metadata.attrs],
    },
  };
}

/** The snapshot file text: stable JSON with a final newline. */
export function snapshotText(snapshot: Snapshot): string {
  return `${JSON.stringify(snapshot, null, 2)}\n`;
}

function sortedUnique(values: Iterable<string>): string[] {
  // Code-unit order, not locale order: identical on every machine.
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
