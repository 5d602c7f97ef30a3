/**
 * The one error class of pyrogen, with a discriminating {@link PyroErrorCode}.
 *
 * Local failures (a dead socket, a bad header, an invalid config item) and remote
 * exceptions raised by a Python daemon are both `PyroError`s; a remote one also carries
 * {@link PyroError.remote}: the Python type, args, extra attributes and traceback.
 */

/**
 * What went wrong. The Pyro family maps one to one onto the classes of Pyro's `errors`
 * module (`Pyro4.errors.*`):
 *
 * | code | Pyro class |
 * |---|---|
 * | `pyro` | PyroError |
 * | `communication` | CommunicationError |
 * | `connection-closed` | ConnectionClosedError |
 * | `timeout` | TimeoutError |
 * | `protocol` | ProtocolError |
 * | `message-too-large` | MessageTooLargeError |
 * | `serialize` | SerializeError |
 * | `naming` | NamingError |
 * | `daemon` | DaemonError |
 * | `security` | SecurityError |
 *
 * pyrogen adds: `remote` (any other exception raised in the daemon, e.g. `builtins.ValueError`),
 * `attribute` (a remote name the object does not expose, caught locally), `uri` (a malformed
 * URI), `config` (an invalid configuration item), `aborted` (an AbortSignal fired) and
 * `validation` (a result that does not match the types a module was generated with, when it
 * was generated with `--validate`).
 */
export type PyroErrorCode =
  | "pyro"
  | "communication"
  | "connection-closed"
  | "timeout"
  | "protocol"
  | "message-too-large"
  | "serialize"
  | "naming"
  | "daemon"
  | "security"
  | "remote"
  | "attribute"
  | "uri"
  | "config"
  | "aborted"
  | "validation";

/** The Python side of an exception that was raised in a daemon. */
export interface RemoteExceptionInfo {
  /** The Python class, module-qualified: `builtins.ValueError`, `Pyro4.errors.NamingError`. */
  readonly type: string;
  /** The exception's constructor arguments. */
  readonly args: readonly unknown[];
  /** The exception's attributes other than `_pyroTraceback` (e.g. custom fields). */
  readonly attributes: Readonly<Record<string, unknown>>;
  /** The formatted remote traceback lines (each ends in `\n`), or `null` if none was sent. */
  readonly traceback: readonly string[] | null;
}

/** Options of the {@link PyroError} constructor. */
export interface PyroErrorOptions {
  cause?: unknown;
  remote?: RemoteExceptionInfo;
}

/** The error class every pyrogen failure is an instance of. */
export class PyroError extends Error {
  /** What went wrong; see {@link PyroErrorCode}. */
  readonly code: PyroErrorCode;
  /** Set when the exception was raised in the daemon (or the name server). */
  readonly remote: RemoteExceptionInfo | undefined;

  constructor(code: PyroErrorCode, message: string, options: PyroErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "PyroError";
    this.code = code;
    this.remote = options.remote;
  }

  /** True for the codes that are Pyro's `CommunicationError` or one of its subclasses. */
  get isCommunicationError(): boolean {
    return COMMUNICATION_CODES.has(this.code);
  }
}

const COMMUNICATION_CODES: ReadonlySet<PyroErrorCode> = new Set([
  "communication",
  "connection-closed",
  "timeout",
  "protocol",
  "message-too-large",
  "serialize",
]);

const CODE_BY_PYRO_CLASS: Readonly<Record<string, PyroErrorCode>> = {
  PyroError: "pyro",
  CommunicationError: "communication",
  ConnectionClosedError: "connection-closed",
  TimeoutError: "timeout",
  ProtocolError: "protocol",
  MessageTooLargeError: "message-too-large",
  SerializeError: "serialize",
  NamingError: "naming",
  DaemonError: "daemon",
  SecurityError: "security",
};

const PYRO_CLASS_BY_CODE = new Map<PyroErrorCode, string>(
  Object.entries(CODE_BY_PYRO_CLASS).map(([name, code]) => [code, name]),
);

/** Pyro's errors module in any generation: `Pyro4.errors`, `Pyro5.errors`. */
const PYRO_ERRORS_MODULE = /^Pyro\d+\.errors\.(\w+)$/;

/**
 * The error code for a Python exception class: a class of Pyro's `errors` module (of any
 * generation, `Pyro4.errors.X`) maps to X's code, anything else is `remote`.
 */
export function codeForPythonType(pythonType: string): PyroErrorCode {
  const pyroClass = PYRO_ERRORS_MODULE.exec(pythonType)?.[1];
  if (pyroClass !== undefined && Object.hasOwn(CODE_BY_PYRO_CLASS, pyroClass)) {
    return CODE_BY_PYRO_CLASS[pyroClass]!;
  }
  return "remote";
}

/**
 * The Python class that best represents a local error code when an error must cross the
 * wire: a class of `errorsModule` (the protocol's, `Pyro4.errors`) for the Pyro family,
 * `builtins.AttributeError` for `attribute`, `builtins.ValueError` for `uri`/`config`,
 * `builtins.Exception` otherwise.
 */
export function pythonTypeForCode(code: PyroErrorCode, errorsModule: string): string {
  const pyroClass = PYRO_CLASS_BY_CODE.get(code);
  if (pyroClass !== undefined) return `${errorsModule}.${pyroClass}`;
  if (code === "attribute") return "builtins.AttributeError";
  if (code === "uri" || code === "config") return "builtins.ValueError";
  return "builtins.Exception";
}

/**
 * Python's `str(exception)`: no args gives `""`, one arg gives that arg as text, several give
 * the tuple's repr.
 */
export function pythonExceptionMessage(args: readonly unknown[]): string {
  if (args.length === 0) return "";
  if (args.length === 1) return typeof args[0] === "string" ? args[0] : pythonRepr(args[0]);
  return `(${args.map(pythonRepr).join(", ")})`;
}

/** A short Python-like repr, good enough for error messages. */
function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "string") return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(", ")}]`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Build the error for an exception that a daemon raised and sent back. */
export function remoteError(info: RemoteExceptionInfo): PyroError {
  const shortType = info.type.slice(info.type.lastIndexOf(".") + 1);
  const text = pythonExceptionMessage(info.args);
  const message = text === "" ? `remote ${shortType}` : `remote ${shortType}: ${text}`;
  return new PyroError(codeForPythonType(info.type), message, { remote: info });
}

/**
 * The remote traceback formatted as Python's `Pyro4.util.getPyroTraceback()` shows it, or
 * an empty string for a local error or one without traceback.
 */
export function formatRemoteTraceback(error: unknown): string {
  if (!(error instanceof PyroError) || error.remote?.traceback == null) return "";
  const body = error.remote.traceback
    .join("")
    .split("\n")
    .filter((line, index, lines) => line !== "" || index < lines.length - 1)
    .map((line) => ` | ${line}`)
    .join("\n");
  return (
    " +--- This exception occured remotely (Pyro) - Remote traceback:\n" +
    `${body}\n` +
    " +--- End of remote traceback\n"
  );
}
