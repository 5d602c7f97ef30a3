/**
 * `pyrogen ns list [prefix]`: the name server's registrations (name, URI, metadata tags).
 */
import { locateNS } from "@pyrogen/runtime";
import { connectFailure } from "./connect-failure.js";
import { pyroConfigFor, type ConnectionSettings } from "./connection-options.js";
import { displayName, table } from "./display.js";
import { EXIT, type ExitCode } from "./exit-codes.js";

/** Run `ns list`; resolves to the exit code. */
export async function runNsList(
  prefix: string | undefined,
  flags: ConnectionSettings & { json?: boolean },
): Promise<ExitCode> {
  const { json, ...settings } = flags;
  const config = pyroConfigFor(settings);
  const where =
    settings.nsHost === undefined ? "the name server" : `the name server at ${settings.nsHost}`;
  let entries: [string, { uri: string; metadata: ReadonlySet<string> }][];
  try {
    const ns = await locateNS({
      config,
      broadcast: settings.broadcast ?? true,
      ...(settings.nsHost === undefined ? {} : { host: settings.nsHost, port: settings.nsPort }),
    });
    try {
      const listing = await ns.list({
        ...(prefix === undefined ? {} : { prefix }),
        returnMetadata: true,
      });
      entries = [...listing.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    } finally {
      ns.release();
    }
  } catch (error) {
    throw connectFailure(where, error, settings, "cannot list");
  }
  if (json === true) {
    const out = Object.fromEntries(
      entries.map(([name, entry]) => [
        name,
        { uri: entry.uri, metadata: [...entry.metadata].sort() },
      ]),
    );
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return EXIT.ok;
  }
  const rows = entries.map(([name, entry]) => [
    displayName(name),
    displayName(entry.uri),
    [...entry.metadata].sort().map(displayName).join(", "),
  ]);
  process.stdout.write(table(["name", "uri", "metadata"], rows));
  return EXIT.ok;
}
