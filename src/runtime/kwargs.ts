/**
 * Keyword arguments as a value of their own, so they are never mistaken for a trailing
 * plain-object argument: a client passes `kwargs({...})` last, and a TypeScript method that
 * Python calls with keyword arguments receives them as a trailing {@link Kwargs}.
 */

/** Keyword arguments of a call (Python's `**kwargs`). */
export class Kwargs<T extends object = Record<string, unknown>> {
  /** The keyword arguments, by name. */
  readonly values: T;
  constructor(values: T) {
    this.values = values;
  }
}

/** Mark an object as keyword arguments: `client.play("x", kwargs({ loop: true }))`. */
export function kwargs<T extends object>(values: T): Kwargs<T> {
  return new Kwargs(values);
}
