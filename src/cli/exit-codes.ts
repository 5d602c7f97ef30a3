/**
 * The CLI's exit codes (documented in docs/cli.md) and the error that carries one.
 */

/** Exit codes of `pyrogen`. */
export const EXIT = {
  /** Everything worked (with `--check`: every file is up to date). */
  ok: 0,
  /** `--check` found stale or missing files. */
  stale: 1,
  /** Bad command line or config file. */
  usage: 2,
  /** A daemon or name server could not be reached, or refused (connection, naming, remote). */
  remote: 3,
  /** A file could not be read or written, or a snapshot is invalid. */
  io: 4,
} as const;

/** An exit code of `pyrogen`. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the CLI reports as one message (cause and fix) and an exit code. */
export class CliError extends Error {
  /** The process exit code for this failure. */
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}
