/**
 * What an exception thrown by a TypeScript method looks like to Python: a class dict of a
 * type Python can rebuild (`builtins.*` or `Pyro4.errors.*`), its args, and a traceback text
 * in Python's shape.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PyroError, pythonTypeForCode } from "../errors.js";
import { setDictEntry } from "../values.js";
import { DAEMON_CALL_SITES } from "./call-sites.js";

/**
 * Frames of the daemon's own machinery say nothing about the user's error: left out. The
 * daemon runs user code only through its call sites (`call-sites.ts`), so every frame from
 * the first of those on is the daemon's, whatever file it names. Of the frames above, those
 * of the runtime's own files are left out too: this folder when the runtime runs as separate
 * modules, the whole file when it runs bundled (`@pyrogen/runtime`).
 */
const HERE = fileURLToPath(import.meta.url);
const DAEMON_CODE = /remote-exception\.[jt]s$/.test(HERE) ? path.dirname(HERE) : HERE;
const CALL_SITE_FRAME = new RegExp(`^\\s+at (?:async )?(?:${DAEMON_CALL_SITES.join("|")}) `);

function isUserFrame(line: string): boolean {
  return !line.includes(DAEMON_CODE) && !line.includes("node:");
}

/** The stack frames of `stack` that belong to user code. */
function userFrames(stack: string): string[] {
  const frames = stack.split("\n").filter((line) => /^\s+at /.test(line));
  const callSite = frames.findIndex((line) => CALL_SITE_FRAME.test(line));
  return (callSite < 0 ? frames : frames.slice(0, callSite)).filter(isUserFrame);
}

/** Python builtin exceptions a TS error may name itself after (`error.name = "KeyError"`). */
const PYTHON_BUILTINS: ReadonlySet<string> = new Set([
  "Exception",
  "ArithmeticError",
  "AssertionError",
  "AttributeError",
  "ConnectionError",
  "FileNotFoundError",
  "IndexError",
  "KeyError",
  "LookupError",
  "NameError",
  "NotImplementedError",
  "OSError",
  "OverflowError",
  "PermissionError",
  "RuntimeError",
  "StopIteration",
  "TimeoutError",
  "TypeError",
  "ValueError",
  "ZeroDivisionError",
]);

/** JS built-in error classes that have a close Python counterpart. */
const JS_TO_PYTHON: Readonly<Record<string, string>> = {
  RangeError: "ValueError",
  ReferenceError: "NameError",
  SyntaxError: "SyntaxError",
  URIError: "ValueError",
  EvalError: "RuntimeError",
  AggregateError: "Exception",
};

/** The Python class for a thrown value (Pyro's own errors from `errorsModule`). */
export function pythonTypeOf(error: unknown, errorsModule: string): string {
  if (error instanceof PyroError) {
    return error.remote?.type ?? pythonTypeForCode(error.code, errorsModule);
  }
  if (!(error instanceof Error)) return "builtins.Exception";
  if (PYTHON_BUILTINS.has(error.name)) return `builtins.${error.name}`;
  const mapped = JS_TO_PYTHON[error.name];
  return `builtins.${mapped ?? "Exception"}`;
}

/** The traceback lines Python shows for a TypeScript error (each line ends in `\n`). */
export function tracebackLines(error: unknown, pythonType: string): string[] {
  const message = error instanceof Error ? error.message : String(error);
  const frames =
    error instanceof Error && error.stack !== undefined
      ? userFrames(error.stack).map((line) => `  (TypeScript) ${line.trim()}\n`)
      : [];
  const shortType = pythonType.slice(pythonType.lastIndexOf(".") + 1);
  return [
    "Traceback (most recent call last):\n",
    ...frames,
    message === "" ? `${shortType}\n` : `${shortType}: ${message}\n`,
  ];
}

/** An error's own enumerable fields (e.g. `code`), which Python sets as exception attributes. */
function extraAttributes(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return {};
  const attributes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (key !== "name" && key !== "message" && key !== "stack" && key !== "cause") {
      setDictEntry(attributes, key, value);
    }
  }
  return attributes;
}

/**
 * The exception dict for a thrown value. A remote error (one that came from another daemon)
 * keeps its type, args, attributes and traceback; a local error is described by its class
 * (Pyro's own errors from `errorsModule`), message and stack.
 */
export function exceptionDict(error: unknown, errorsModule: string): Record<string, unknown> {
  const type = pythonTypeOf(error, errorsModule);
  if (error instanceof PyroError && error.remote !== undefined) {
    const { remote } = error;
    return {
      __class__: type,
      __exception__: true,
      args: [...remote.args],
      attributes: {
        ...remote.attributes,
        _pyroTraceback: remote.traceback ?? tracebackLines(error, type),
      },
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    __class__: type,
    __exception__: true,
    args: message === "" ? [] : [message],
    attributes: { ...extraAttributes(error), _pyroTraceback: tracebackLines(error, type) },
  };
}

/** A Pyro-internal exception dict with fixed args and no traceback (stream start/end markers). */
export function markerExceptionDict(
  type: string,
  args: readonly unknown[],
): Record<string, unknown> {
  return {
    __class__: type,
    __exception__: true,
    args: [...args],
    attributes: { _pyroTraceback: null },
  };
}
