/**
 * Explicit exposure for the callback daemon: TS 5 standard decorators (`@expose`,
 * `@oneway`, `@callback`) and the {@link ExposeSpec} registration alternative. Nothing is
 * remotely reachable unless it is declared here, and names starting with `_` never are.
 */
import { PyroError } from "../errors.js";

/** What a registered object offers to remote callers (its Pyro metadata, plus callback marks). */
export interface Exposure {
  /** Exposed callable members, oneway ones included. */
  readonly methods: ReadonlySet<string>;
  /** Methods that Python calls oneway (the caller does not wait for them). */
  readonly oneway: ReadonlySet<string>;
  /** Exposed attributes, readable with `__getattr__`, mapped to whether they are writable. */
  readonly attrs: ReadonlyMap<string, boolean>;
  /** Methods marked `@callback`: their exceptions are also logged locally and close the connection. */
  readonly callbacks: ReadonlySet<string>;
}

/** Exposure declared at registration time, for objects without decorators (e.g. literals). */
export interface ExposeSpec {
  /** Method names to expose. */
  readonly methods?: readonly string[];
  /** Method names to expose as oneway (exposed too, need not be repeated in `methods`). */
  readonly oneway?: readonly string[];
  /** Property names to expose as attributes (writable when the property can be set). */
  readonly attrs?: readonly string[];
  /** Method names to treat as `@callback` (exposed too). */
  readonly callbacks?: readonly string[];
}

type Mark = "expose" | "oneway" | "callback";

/** Marks set by the decorators, keyed by the decorated function or class (no global registry). */
const marks = new WeakMap<object, Set<Mark>>();

function addMark(target: object, mark: Mark): void {
  let set = marks.get(target);
  if (set === undefined) {
    set = new Set();
    marks.set(target, set);
  }
  set.add(mark);
}

function hasMark(target: unknown, mark: Mark): boolean {
  return (
    (typeof target === "function" || (typeof target === "object" && target !== null)) &&
    (marks.get(target)?.has(mark) ?? false)
  );
}

type MemberContext =
  | ClassMethodDecoratorContext
  | ClassGetterDecoratorContext
  | ClassSetterDecoratorContext
  | ClassAccessorDecoratorContext;

function checkMember(context: MemberContext, decorator: string): string {
  const name = String(context.name);
  if (context.static || context.private || typeof context.name !== "string") {
    throw new PyroError(
      "daemon",
      `@${decorator} cannot mark '${name}': only public instance members can be exposed`,
    );
  }
  if (name.startsWith("_")) {
    throw new PyroError(
      "daemon",
      `@${decorator} cannot mark '${name}': names starting with '_' are never exposed (Pyro rule); rename it`,
    );
  }
  return name;
}

/** The decorated value to mark: the function itself, or the getter of an `accessor` field. */
function markTarget(value: unknown, context: MemberContext): object {
  if (context.kind === "accessor")
    return (value as ClassAccessorDecoratorTarget<unknown, unknown>).get;
  return value as object;
}

/**
 * Expose a method, a getter/setter or an `accessor` field (an attribute), or — on a class —
 * every public method and getter of that class (names starting with `_` excepted), like
 * `@Pyro4.expose`. Uses TS 5 standard decorators (no `experimentalDecorators`).
 */
export function expose(value: unknown, context: ClassDecoratorContext | MemberContext): void {
  if (context.kind === "class") {
    addMark(value as object, "expose");
    return;
  }
  checkMember(context, "expose");
  addMark(markTarget(value, context), "expose");
}

/** Expose a method as oneway (Python does not wait for it; its result is dropped), like `@Pyro4.oneway`. */
export function oneway(value: unknown, context: ClassMethodDecoratorContext): void {
  checkMember(context, "oneway");
  addMark(value as object, "expose");
  addMark(value as object, "oneway");
}

/**
 * Expose a method as a callback, like `@Pyro4.callback`: an exception it throws is sent back
 * to Python and also logged locally (and the connection it came on is closed, as Pyro does).
 */
export function callback(value: unknown, context: ClassMethodDecoratorContext): void {
  checkMember(context, "callback");
  addMark(value as object, "expose");
  addMark(value as object, "callback");
}

interface Found {
  readonly descriptor: PropertyDescriptor;
  readonly owner: object;
}

/** The most derived descriptor of `name` along the prototype chain (Object.prototype excluded). */
function findMember(target: object, name: string): Found | undefined {
  for (let owner: object | null = target; owner !== null && owner !== Object.prototype;) {
    const descriptor = Object.getOwnPropertyDescriptor(owner, name);
    if (descriptor !== undefined) return { descriptor, owner };
    owner = Object.getPrototypeOf(owner) as object | null;
  }
  return undefined;
}

/** Every own member name of the objects in the prototype chain (Object.prototype excluded). */
function memberNames(target: object): Set<string> {
  const names = new Set<string>();
  for (let owner: object | null = target; owner !== null && owner !== Object.prototype;) {
    for (const name of Object.getOwnPropertyNames(owner)) names.add(name);
    owner = Object.getPrototypeOf(owner) as object | null;
  }
  names.delete("constructor");
  return names;
}

/** True if the class owning this prototype (`owner.constructor`) was decorated with `@expose`. */
function classExposed(owner: object): boolean {
  const ctor = Object.getOwnPropertyDescriptor(owner, "constructor")?.value as unknown;
  return hasMark(ctor, "expose");
}

function refuse(name: string, why: string): never {
  throw new PyroError("daemon", `cannot expose '${name}': ${why}`);
}

/**
 * Work out what `target` exposes: its decorator marks plus `spec`. Throws a `daemon` error
 * for a declared name that is private (`_x`), missing, or of the wrong kind.
 */
export function exposureOf(target: object, spec: ExposeSpec = {}): Exposure {
  const methods = new Set<string>();
  const oneways = new Set<string>();
  const callbacks = new Set<string>();
  const attrs = new Map<string, boolean>();

  for (const name of memberNames(target)) {
    if (name.startsWith("_")) continue;
    const found = findMember(target, name);
    if (found === undefined) continue;
    const { descriptor, owner } = found;
    const byClass = classExposed(owner);
    if (typeof descriptor.value === "function") {
      const fn: unknown = descriptor.value;
      if (byClass || hasMark(fn, "expose")) methods.add(name);
      if (hasMark(fn, "oneway")) oneways.add(name);
      if (hasMark(fn, "callback")) callbacks.add(name);
    } else if (descriptor.get !== undefined || descriptor.set !== undefined) {
      const marked =
        byClass || hasMark(descriptor.get, "expose") || hasMark(descriptor.set, "expose");
      if (marked && descriptor.get !== undefined) attrs.set(name, descriptor.set !== undefined);
    }
  }

  const declaredMethod = (name: string): void => {
    if (name.startsWith("_")) refuse(name, "names starting with '_' are never exposed (Pyro rule)");
    const found = findMember(target, name);
    if (found === undefined || typeof found.descriptor.value !== "function") {
      refuse(name, "the object has no method of that name");
    }
    methods.add(name);
  };
  for (const name of spec.methods ?? []) declaredMethod(name);
  for (const name of spec.oneway ?? []) {
    declaredMethod(name);
    oneways.add(name);
  }
  for (const name of spec.callbacks ?? []) {
    declaredMethod(name);
    callbacks.add(name);
  }
  for (const name of spec.attrs ?? []) {
    if (name.startsWith("_")) refuse(name, "names starting with '_' are never exposed (Pyro rule)");
    const found = findMember(target, name);
    if (found === undefined) refuse(name, "the object has no property of that name");
    const { descriptor } = found;
    if (typeof descriptor.value === "function") {
      refuse(name, "it is a method; list it in 'methods' instead");
    }
    const writable =
      descriptor.get !== undefined || descriptor.set !== undefined
        ? descriptor.set !== undefined
        : descriptor.writable === true;
    attrs.set(name, writable);
  }
  for (const name of attrs.keys()) {
    if (methods.has(name)) refuse(name, "a name cannot be both a method and an attribute");
  }
  return { methods, oneway: oneways, attrs, callbacks };
}
