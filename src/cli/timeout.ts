/**
 * The CLI's connect/reply timeout. Without one a build step would wait forever on a
 * listener that accepts connections and never answers; with `--timeout`, a config field or
 * `PYRO_COMMTIMEOUT` the user decides.
 */

/** The timeout when no flag, config field or `PYRO_COMMTIMEOUT` sets one, ms. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** The timeout in force, ms (`undefined`: `PYRO_COMMTIMEOUT` decides). */
export function effectiveTimeoutMs(timeoutMs: number | undefined): number | undefined {
  if (timeoutMs !== undefined) return timeoutMs;
  return process.env["PYRO_COMMTIMEOUT"] === undefined ? DEFAULT_TIMEOUT_MS : undefined;
}
