/**
 * Type names and default URIs that survive a server restart. Pyro4 gives an object
 * registered without an id a random one (`obj_` and 32 hex digits), and a daemon started
 * without a port a random port. A type name derived from such an id (`Obj627e50ba…`) and a
 * default URI that carries either stop matching the next time the server starts, and
 * `--check` then reports the module stale every time.
 */
import { URI, locateNS } from "@pyrogen/runtime";
import { typeNameFor } from "../codegen/names.js";
import { pyroConfigFor, type ConnectionSettings } from "./connection-options.js";
import { CliError, EXIT } from "./exit-codes.js";

/** Pyro4's made-up object ids: `"obj_" + uuid4().hex`. */
const RANDOM_OBJECT_ID = /^obj_[0-9a-f]{32}$/;
/** The lowest port Linux hands out for port 0 (macOS and Windows start at 49152). */
const FIRST_EPHEMERAL_PORT = 32768;

/** Whether `objectId` is one Pyro4 made up (no id was given when it was registered). */
export function isRandomObjectId(objectId: string): boolean {
  return RANDOM_OBJECT_ID.test(objectId);
}

/** The object part of a URI: `PYRONAME:example.music@h:1` → `example.music`. */
function objectNameOf(uri: string): string {
  const rest = uri.slice(uri.indexOf(":") + 1);
  const at = rest.lastIndexOf("@");
  return at >= 0 ? rest.slice(0, at) : rest;
}

/**
 * Warnings for a module's default URI that will not outlive the server: a random object
 * id, or a port in the range systems pick from when a daemon asks for any port.
 */
export function defaultUriWarnings(uri: string): string[] {
  if (!uri.startsWith("PYRO:")) return [];
  let parsed: URI;
  try {
    parsed = new URI(uri);
  } catch {
    return [];
  }
  const advice =
    "generate from a PYRONAME: URI (the name server knows the current address), or pass " +
    "the current URI to the connect function at run time";
  const warnings: string[] = [];
  if (isRandomObjectId(parsed.object)) {
    warnings.push(
      `the default URI carries a random object id (${parsed.object}), which changes when the ` +
        `server restarts: ${advice}`,
    );
  } else if (parsed.port !== null && parsed.port >= FIRST_EPHEMERAL_PORT) {
    warnings.push(
      `the default URI's port ${parsed.port} looks random (a port the system picks when a ` +
        `daemon asks for any), so it changes when the server restarts: ${advice}`,
    );
  }
  return warnings;
}

/**
 * The type name for an object when neither `-n` nor a source's class gives one, from
 * something stable: the object name or id in the URI; for a random object id, the name a
 * name server has for that URI; else a usage error asking for `-n`.
 */
export async function defaultTypeName(uri: string, settings: ConnectionSettings): Promise<string> {
  const objectName = objectNameOf(uri);
  if (!uri.startsWith("PYRO:") || !isRandomObjectId(objectName)) return typeNameFor(objectName);
  const lookup = await nameServerNameFor(uri, settings);
  if (lookup.name !== undefined) return typeNameFor(lookup.name);
  throw new CliError(
    `${uri}: the object id is one Pyro made up when the object was registered, so a type ` +
      "name derived from it would change whenever the server restarts, and " +
      `${lookup.why}; give the type name with -n <TypeName>`,
    EXIT.usage,
  );
}

/** The name a name server has registered for `uri` (the first in name order), or why none. */
async function nameServerNameFor(
  uri: string,
  settings: ConnectionSettings,
): Promise<{ name?: string; why: string }> {
  const wanted = new URI(uri);
  const sameObject = (registered: string): boolean => {
    try {
      const other = new URI(registered);
      return (
        other.object === wanted.object &&
        other.host === wanted.host &&
        other.port === wanted.port &&
        other.sockname === wanted.sockname
      );
    } catch {
      return false;
    }
  };
  try {
    await using ns = await locateNS({
      config: pyroConfigFor(settings),
      broadcast: settings.broadcast ?? true,
      ...(settings.nsHost === undefined ? {} : { host: settings.nsHost, port: settings.nsPort }),
    });
    const names = [...(await ns.list()).entries()]
      .filter(([, registered]) => sameObject(registered))
      .map(([name]) => name)
      .sort();
    return names.length > 0
      ? { name: names[0]!, why: "" }
      : { why: "the name server has no name for it" };
  } catch (error) {
    const reason = error instanceof Error ? error.message.split(";")[0] : String(error);
    return { why: `no name server could name it (${reason})` };
  }
}
