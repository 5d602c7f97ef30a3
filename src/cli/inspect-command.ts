/**
 * `pyrogen inspect <uri>`: what an object exposes — methods, which are oneway, attributes —
 * as a table or, with `--json`, as JSON.
 */
import type { ConnectionSettings } from "./connection-options.js";
import { displayName, table } from "./display.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import { fetchMetadata } from "./fetch-metadata.js";

/** Run `inspect`; resolves to the exit code. */
export async function runInspect(
  uri: string,
  flags: ConnectionSettings & { json?: boolean },
): Promise<ExitCode> {
  const { json, ...settings } = flags;
  const metadata = await fetchMetadata(uri, settings);
  if (json === true) {
    process.stdout.write(`${JSON.stringify({ uri, ...metadata }, null, 2)}\n`);
    return EXIT.ok;
  }
  const oneway = new Set(metadata.oneway);
  const attrs = new Set(metadata.attrs);
  const rows = [
    ...metadata.methods
      .filter((name) => !attrs.has(name))
      .map((name) => [displayName(name), oneway.has(name) ? "method (oneway)" : "method"]),
    ...metadata.attrs.map((name) => [displayName(name), "attribute"]),
  ];
  process.stdout.write(`${uri}\n\n${table(["name", "kind"], rows)}`);
  return EXIT.ok;
}
