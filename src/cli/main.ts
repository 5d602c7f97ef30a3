/**
 * The `pyrogen` command line (commander): generate typed clients, inspect objects, browse
 * the name server. Exit codes are in `exit-codes.ts` and docs/cli.md.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { PyroError } from "@pyrogen/runtime";
import { VERSION } from "../codegen/version.js";
import { SERIALIZER_NAMES } from "@pyrogen/runtime/wire";
import { CliError, EXIT, type ExitCode } from "./exit-codes.js";
import type { GenerateFlags } from "./generate-command.js";
import { parseJsonText } from "./json-text.js";
import { DEFAULT_TIMEOUT_MS } from "./timeout.js";

function integer(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
    }
    return n;
  };
}

/** A `--handshake` value: any JSON. */
function jsonValue(value: string): unknown {
  const parsed = parseJsonText(value);
  if (parsed.ok) return parsed.value;
  const { column, message } = parsed.problem;
  throw new InvalidArgumentError(
    `must be JSON (at column ${column}: ${message}); quote a string as '"text"'`,
  );
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("must be a number above 0");
  return n;
}

/** Add the connection options (shared by every command that talks to Pyro). */
function withConnection(command: Command): Command {
  return command
    .addOption(
      new Option("--serializer <name>", "serializer (default: PYRO_SERIALIZER or serpent)").choices(
        SERIALIZER_NAMES,
      ),
    )
    .option(
      "--timeout <ms>",
      `connect/reply timeout in ms (default: PYRO_COMMTIMEOUT, else ${DEFAULT_TIMEOUT_MS})`,
      positive,
    )
    .option("--hmac-key <key>", "HMAC key shared with the daemon (default: PYRO_HMAC_KEY)")
    .option(
      "--handshake <json>",
      "data for the CONNECT handshake, as JSON (a daemon whose validateHandshake checks it)",
      jsonValue,
    )
    .option("--ns-host <host>", "name server host (default: PYRO_NS_HOST, then discovery)")
    .option(
      "--ns-port <port>",
      "name server port (default: PYRO_NS_PORT or 9090)",
      integer(1, 65535),
    )
    .option(
      "--ns-bcport <port>",
      "name server broadcast port (default: PYRO_NS_BCPORT or 9091)",
      integer(1, 65535),
    )
    .option(
      "--broadcast-addrs <list>",
      "comma-separated broadcast addresses (default: PYRO_BROADCAST_ADDRS)",
    )
    .option("--no-broadcast", "never look for the name server by UDP broadcast")
    .option("--tls", "connect with TLS (default: PYRO_SSL)")
    .option("--tls-ca <file>", "CA certificates to trust (default: PYRO_SSL_CACERTS)")
    .option("--tls-cert <file>", "client certificate for 2-way TLS (default: PYRO_SSL_CLIENTCERT)")
    .option("--tls-key <file>", "key of the client certificate (default: PYRO_SSL_CLIENTKEY)");
}

/** Commander's camelCase flag names → the connection settings' names. */
function settingsOf(options: Record<string, unknown>): Record<string, unknown> {
  const { timeout, nsBcport, ...rest } = options;
  const settings: Record<string, unknown> = { ...rest, timeoutMs: timeout, nsBcPort: nsBcport };
  // Commander sets broadcast=true by default; only an explicit --no-broadcast matters.
  if (settings["broadcast"] === true) delete settings["broadcast"];
  return settings;
}

/** The subcommands, for suggestions. */
const COMMANDS = ["inspect", "ns", "help"];

/** The message for a first argument that is neither a URI nor a command. */
function unknownCommand(word: string): string {
  const close = COMMANDS.find((command) => editDistance(word, command) <= 2);
  return (
    `unknown command '${word}'${close === undefined ? "" : ` (did you mean '${close}'?)`}: ` +
    "the commands are inspect, ns list and help, and a URI starts with PYRO:, PYRONAME: or " +
    "PYROMETA:; see pyrogen --help"
  );
}

/** Levenshtein distance: how many single-character edits turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** Build the program. `setExitCode` receives each command's exit code. */
export function buildProgram(setExitCode: (code: ExitCode) => void): Command {
  const program = new Command("pyrogen")
    .description("Generate typed TypeScript clients for Python Pyro4 and Pyro5 objects.")
    .version(VERSION, "-v, --version")
    .argument("[uri...]", "objects to generate clients for (PYRO:, PYRONAME:, PYROMETA:)")
    .option(
      "-o, --out <path>",
      "output file (one object) or folder ending in / (several); default stdout",
    )
    .option("-n, --name <TypeName>", "type name in the module (default: from the object name)")
    .option("-c, --config <file>", "generate every target of a config file")
    .option("-t, --target <name...>", "with --config: only these targets")
    .option("--metadata <file>", "generate offline from a metadata snapshot (no daemon needed)")
    .option("--save-metadata <file>", "also save the fetched metadata as a snapshot")
    .option("--offline", "with --config: read each target's snapshot instead of connecting")
    .option("--check", "regenerate in memory; exit 1 naming each file that is out of date")
    .option(
      "-s, --source <path...>",
      "the server's Python source (files or folders): types, docs, and names without a daemon",
    )
    .option("--class <Name>", "with --source: the class the object is (default: the only one)")
    .option("--validate", "with --source: also check every result against its type (zod)")
    .option("--no-infer", "with --source: do not run pyright where the source has no types")
    .option("-q, --quiet", "no progress or summary output")
    .showHelpAfterError("(run pyrogen --help for usage)")
    // Subcommands have the same connection flags; they must reach the subcommand.
    .enablePositionalOptions()
    .exitOverride();
  withConnection(program).action(async (uris: string[], options: Record<string, unknown>) => {
    // A first word that is no URI is a command: `help`, or a mistyped one.
    if (uris[0] !== undefined && !uris[0].includes(":")) {
      if (uris[0] !== "help") throw new CliError(unknownCommand(uris[0]), EXIT.usage);
      const topic = program.commands.find((command) => command.name() === uris[1]);
      (topic ?? program).outputHelp();
      return;
    }
    // Commands load lazily: --help and --version must not pay for ts-morph and prettier.
    const { runGenerate } = await import("./generate-command.js");
    setExitCode(await runGenerate(uris, settingsOf(options) as GenerateFlags));
  });

  withConnection(
    program
      .command("inspect")
      .description("show what an object exposes: methods, oneway methods, attributes")
      .argument("[uri]", "the object (PYRO:, PYRONAME:, PYROMETA:); optional with --source")
      .option("-s, --source <path...>", "also show the signatures the Python source gives")
      .option("--class <Name>", "with --source: the class the object is")
      .option("--no-infer", "with --source: do not run pyright")
      .option("--json", "print JSON instead of a table"),
  ).action(async (uri: string | undefined, options: Record<string, unknown>) => {
    const { runInspect } = await import("./inspect-command.js");
    setExitCode(await runInspect(uri, settingsOf(options)));
  });

  const ns = program.command("ns").description("name server commands");
  withConnection(
    ns
      .command("list")
      .description("list the name server's registrations with their metadata tags")
      .argument("[prefix]", "only names starting with this")
      .option("--json", "print JSON instead of a table"),
  ).action(async (prefix: string | undefined, options: Record<string, unknown>) => {
    const { runNsList } = await import("./ns-command.js");
    setExitCode(await runNsList(prefix, settingsOf(options)));
  });

  for (const command of [program, ...program.commands, ...ns.commands]) command.exitOverride();
  return program;
}

/** Run the CLI with `argv` (user arguments only); resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<ExitCode> {
  let exitCode: ExitCode = EXIT.ok;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end with exit code 0; every other parse failure is a usage error.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof CliError) {
      process.stderr.write(`pyrogen: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof PyroError) {
      process.stderr.write(`pyrogen: ${error.message}\n`);
      return error.code === "config" ? EXIT.usage : EXIT.remote;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
