/**
 * What the CLI says when talking to a daemon or name server fails: the runtime's message,
 * and a hint for the cause at hand — the flag or command that fixes it, and nothing that
 * does not apply (no "start a name server" when one answered, no `--timeout` when one was
 * given).
 */
import { PyroError, URI } from "@pyrogen/runtime";
import type { ConnectionSettings } from "./connection-options.js";
import { CliError, EXIT } from "./exit-codes.js";
import { effectiveTimeoutMs } from "./timeout.js";

/** A CLI error for a failed fetch, list or lookup of `target`. */
export function connectFailure(
  target: string,
  error: unknown,
  settings: ConnectionSettings,
  action = "cannot get metadata from",
): CliError {
  if (error instanceof CliError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof PyroError && error.code === "uri") {
    return new CliError(`invalid URI '${target}': ${message}`, EXIT.usage, { cause: error });
  }
  const hint = error instanceof PyroError ? hintFor(error, target, settings) : undefined;
  // The runtime's own advice names its proxy option; the hint names the CLI's flag instead.
  const shown = message.replace(/ \(the daemon refused the handshake; [^]*\)$/, "");
  const text = `${action} ${target}: ${shown}${hint === undefined ? "" : `\nhint: ${hint}`}`;
  return new CliError(text, EXIT.remote, { cause: error });
}

function hintFor(
  error: PyroError,
  target: string,
  settings: ConnectionSettings,
): string | undefined {
  if (error.code === "naming") return namingHint(error, target, settings);
  const refusal = refusalHint(error, settings);
  if (refusal !== undefined) return refusal;
  if (error.code === "timeout") {
    const where = "check that the URI's host and port are a Pyro daemon's";
    return settings.timeoutMs === undefined
      ? `nothing answered within ${timeoutText(settings)}; ${where}, or give a slow daemon ` +
          "longer with --timeout <ms>"
      : `nothing answered within the ${settings.timeoutMs} ms allowed; ${where}`;
  }
  if (error.isCommunicationError) {
    return (
      "is the daemon running and reachable? Check the URI's host and port; a daemon with an " +
      "HMAC key needs --hmac-key (PYRO_HMAC_KEY), a TLS daemon --tls" +
      (settings.timeoutMs === undefined ? ", a slow one --timeout" : "")
    );
  }
  return undefined;
}

/** The timeout in force, in words. */
function timeoutText(settings: ConnectionSettings): string {
  const ms = effectiveTimeoutMs(settings.timeoutMs);
  return ms === undefined
    ? `the ${process.env["PYRO_COMMTIMEOUT"]} s of PYRO_COMMTIMEOUT`
    : `${ms / 1000} s (pyrogen's default)`;
}

/** A name server that answered and said no, or none that answered. */
function namingHint(
  error: PyroError,
  target: string,
  settings: ConnectionSettings,
): string | undefined {
  if (error.remote !== undefined) {
    return `the name server has no such name; see the names it has with: pyrogen ns list${nsFlags(target, settings)}`;
  }
  const refused = causes(error).find((cause) => refusalHint(cause, settings) !== undefined);
  if (refused !== undefined) {
    return `a name server answered but refused the connection: ${refusalHint(refused, settings)}`;
  }
  return (
    "point pyrogen at the name server with --ns-host/--ns-port (or PYRO_NS_HOST/" +
    "PYRO_NS_PORT), put its location in the URI (PYRONAME:name@host:port), or set the " +
    "broadcast addresses with --broadcast-addrs (PYRO_BROADCAST_ADDRS)"
  );
}

/** The hint for a daemon that refused the connection: serializer, HMAC key, handshake. */
function refusalHint(error: PyroError, settings: ConnectionSettings): string | undefined {
  if (error.code === "serialize" && /not accept/.test(error.message)) {
    return "choose a serializer it accepts with --serializer (PYRO_SERIALIZER)";
  }
  if (error.code === "security" || /\bhmac\b/i.test(error.message)) {
    const keyHere = (settings.hmacKey ?? process.env["PYRO_HMAC_KEY"] ?? "") !== "";
    if (!keyHere) return "pass the daemon's HMAC key with --hmac-key (or PYRO_HMAC_KEY)";
    return /does not sign/.test(error.message)
      ? "the daemon has no HMAC key: leave out --hmac-key (and PYRO_HMAC_KEY)"
      : "the daemon's HMAC key is not the one given with --hmac-key (or PYRO_HMAC_KEY)";
  }
  if (/refused the handshake/.test(error.message)) {
    return settings.handshake === undefined
      ? "the daemon checks the handshake data (its validateHandshake); send what it expects " +
          "with --handshake '<json>' (config field \"handshake\")"
      : `the daemon's validateHandshake refused the handshake data ${JSON.stringify(
          settings.handshake,
        )} given with --handshake (or the config field "handshake")`;
  }
  return undefined;
}

/** `error` and the errors it was caused by. */
function causes(error: unknown): PyroError[] {
  const chain: PyroError[] = [];
  for (let at = error; at instanceof Error && chain.length < 10; at = at.cause) {
    if (at instanceof PyroError) chain.push(at);
  }
  return chain;
}

/** The flags that point `pyrogen ns list` at the name server the URI or settings name. */
function nsFlags(target: string, settings: ConnectionSettings): string {
  let host = settings.nsHost;
  let port = settings.nsPort;
  try {
    const uri = new URI(target);
    if (uri.host !== null) {
      host = uri.host;
      port = uri.port ?? port;
    }
  } catch {
    // not a URI (a name server's description): the settings alone
  }
  return (
    (host === undefined ? "" : ` --ns-host ${host}`) +
    (port === undefined ? "" : ` --ns-port ${port}`)
  );
}
