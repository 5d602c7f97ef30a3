/**
 * The only functions through which the daemon runs user code: exposed methods, getters and
 * setters. In a stack trace every frame from the first of them on is the daemon's own
 * machinery, whatever file it names (the bundle, or with source maps the runtime's
 * sources), so tracebacks sent to Python are cut there.
 */

/** Call an exposed method; a promise it returns is awaited, a plain value is not (one tick less). */
export async function callExposedMethod(
  target: object,
  method: (...args: unknown[]) => unknown,
  args: unknown[],
): Promise<unknown> {
  const result: unknown = method.apply(target, args);
  return isThenable(result) ? await result : result;
}

/** Read an exposed attribute (a getter of user code may run). */
export function readExposedAttribute(target: object, name: string): unknown {
  return (target as Record<string, unknown>)[name];
}

/** Write an exposed attribute (a setter of user code may run). */
export function writeExposedAttribute(target: object, name: string, value: unknown): void {
  (target as Record<string, unknown>)[name] = value;
}

/** The names stack frames show for the functions above. */
export const DAEMON_CALL_SITES: readonly string[] = [
  callExposedMethod.name,
  readExposedAttribute.name,
  writeExposedAttribute.name,
];

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}
