/**
 * The one cross-serializer conformance corpus: every row of the value mapping
 * (docs/internals.md), nested structures, unicode, edge numbers, empty and large containers,
 * and non-str dict keys, each with what each serializer does with it in both directions.
 *
 * How to read a case (and how `conformance.test.ts` runs it for json/marshal/msgpack):
 *
 * - **Python → pyrogen**: Python evaluates `python` and encodes it with Pyro4's serializer
 *   (`get_serializer(name).serializeData`). pyrogen's `loads` must return
 *   `carriers[name].tsGets` if given, else `received`. When the serializer is not listed
 *   in `carriers`, or `tsGets` is {@link SKIP}, Python itself cannot encode the value with it
 *   (that refusal is asserted too).
 * - **pyrogen → Python**: pyrogen's `dumps(sent)` is decoded by Python's
 *   `deserializeData` and must equal (strictly: types included) the Python expression
 *   `carriers[name].pyGets` if given, else `python`. When the serializer is not listed, or
 *   `pyGets` is `null`, pyrogen's `dumps(sent)` must fail with a `serialize` PyroError.
 *   `sent: SKIP` means TypeScript has no value that sends this (the direction is skipped).
 *
 * The `serpent` entries follow Pyro4's serpent serializer; they are for the serpent serializer's own
 * conformance test and are not exercised by `conformance.test.ts`.
 */
import { remoteError } from "../../src/runtime/errors.js";
import { complex, float, tuple } from "../../src/runtime/values.js";

/** The serializers a case can name. */
export type CorpusSerializer = "serpent" | "json" | "marshal" | "msgpack";

/** Marks a direction that does not apply (see the module comment). */
export const SKIP: unique symbol = Symbol("skip");

/** How one serializer carries one case. */
export interface Carrier {
  /** Python expression Python decodes from pyrogen's `dumps(sent)`; `null`: pyrogen refuses. */
  readonly pyGets?: string | null;
  /** What pyrogen's `loads` returns for Python's encoding; {@link SKIP}: Python refuses. */
  readonly tsGets?: unknown;
}

/** One row of the corpus. */
export interface CorpusCase {
  readonly name: string;
  /** Python expression (math, datetime, uuid, decimal and Pyro4 are in scope). */
  readonly python: string;
  /** What pyrogen sends, or {@link SKIP}. */
  readonly sent: unknown;
  /** What pyrogen receives from Python, unless a carrier says otherwise. */
  readonly received: unknown;
  /** The serializers that carry the case (see the module comment for the unlisted ones). */
  readonly carriers: Readonly<Partial<Record<CorpusSerializer, Carrier>>>;
}

const ALL = { serpent: {}, json: {}, marshal: {}, msgpack: {} } as const;

/** A case every serializer carries unchanged (`sent` also being what comes back). */
function plain(name: string, python: string, value: unknown): CorpusCase {
  return { name, python, sent: value, received: value, carriers: ALL };
}

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

/** A plain object whose `__proto__` key is an own property. */
function withProtoKey(): Record<string, unknown> {
  return JSON.parse('{"__proto__": {"polluted": true}, "x": 1}') as Record<string, unknown>;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const bigDict = Object.fromEntries(range(10_000).map((i) => [`key-${i}`, i]));
const nested = (depth: number): unknown => (depth === 0 ? "bottom" : [nested(depth - 1)]);
const nestedPy = (depth: number): string => `${"[".repeat(depth)}'bottom'${"]".repeat(depth)}`;
const NASTY = "'q' \"dq\" \\ \n\t\r\b\f \u0000\u0001\u001f\u007f \u2028\u2029 </script>";
const NASTY_PY =
  "'\\'q\\' \"dq\" \\\\ \\n\\t\\r\\b\\f \\x00\\x01\\x1f\\x7f \\u2028\\u2029 </script>'";

/** The corpus. Names are unique. */
export const CORPUS: readonly CorpusCase[] = [
  plain("None", "None", null),
  {
    name: "undefined sends None",
    python: "None",
    sent: undefined,
    received: null,
    carriers: ALL,
  },
  plain("True", "True", true),
  plain("False", "False", false),
  plain("int 0", "0", 0),
  plain("int -1", "-1", -1),
  plain("int 127", "127", 127),
  plain("int -33", "-33", -33),
  plain("int 255", "255", 255),
  plain("int 65536", "65536", 65536),
  plain("int 2**31-1", "2**31-1", 2 ** 31 - 1),
  plain("int -2**31", "-2**31", -(2 ** 31)),
  plain("int 2**32", "2**32", 2 ** 32),
  plain("int 2**53-1", "2**53-1", 2 ** 53 - 1),
  plain("int -(2**53-1)", "-(2**53-1)", -(2 ** 53 - 1)),
  plain("int 2**53", "2**53", 2n ** 53n),
  plain("int 2**53+1", "2**53+1", 2n ** 53n + 1n),
  plain("int -(2**53+1)", "-(2**53+1)", -(2n ** 53n + 1n)),
  plain("int 2**63-1", "2**63-1", 2n ** 63n - 1n),
  plain("int 2**63", "2**63", 2n ** 63n),
  plain("int -2**63", "-2**63", -(2n ** 63n)),
  plain("int 2**64-1", "2**64-1", 2n ** 64n - 1n),
  plain("int 2**64", "2**64", 2n ** 64n),
  plain("int -2**100", "-2**100", -(2n ** 100n)),
  plain("int 10**300", "10**300", 10n ** 300n),
  {
    name: "integral number 1e21 is an int",
    python: "10**21",
    sent: 1e21,
    received: 10n ** 21n,
    carriers: ALL,
  },
  plain("float 2.5", "2.5", 2.5),
  plain("float -0.1", "-0.1", -0.1),
  plain("float 0.30000000000000004", "0.30000000000000004", 0.30000000000000004),
  plain("float 1e-7", "1e-7", 1e-7),
  plain("float 5e-324", "5e-324", 5e-324),
  {
    name: "float max (PyFloat)",
    python: "1.7976931348623157e308",
    sent: float(1.7976931348623157e308),
    received: 1.7976931348623157e308,
    carriers: ALL,
  },
  {
    name: "float 1.0 (PyFloat)",
    python: "1.0",
    sent: float(1),
    received: 1,
    carriers: ALL,
  },
  {
    name: "float 2**53 (PyFloat)",
    python: "float(2**53)",
    sent: float(2 ** 53),
    received: 2 ** 53,
    carriers: ALL,
  },
  {
    name: "float 1e22 (PyFloat)",
    python: "1e22",
    sent: float(1e22),
    received: 1e22,
    carriers: ALL,
  },
  {
    name: "float -0.0",
    python: "-0.0",
    sent: float(-0),
    received: -0,
    carriers: ALL,
  },
  {
    name: "number -0 is int 0",
    python: "0",
    sent: -0,
    received: 0,
    carriers: ALL,
  },
  plain("float inf", "float('inf')", Infinity),
  plain("float -inf", "float('-inf')", -Infinity),
  plain("float nan", "float('nan')", NaN),
  plain("str empty", "''", ""),
  plain("str ascii", "'hello, pyro'", "hello, pyro"),
  plain("str unicode", "'héllo € ünï'", "héllo € ünï"),
  plain("str astral", "'😀 𝄞 𠜎'", "😀 𝄞 𠜎"),
  plain("str needing escapes", NASTY_PY, NASTY),
  plain(
    "str with JSON-looking tokens",
    "'NaN Infinity -Infinity 12345678901234567 \"__class__\"'",
    'NaN Infinity -Infinity 12345678901234567 "__class__"',
  ),
  plain("str 10k", "'x' * 5000 + 'é' * 5000", "x".repeat(5000) + "é".repeat(5000)),
  {
    name: "str lone surrogate",
    python: "'a\\ud800b'",
    sent: "a\ud800b",
    received: "a\ud800b",
    carriers: {
      serpent: {},
      json: { tsGets: SKIP },
      marshal: {},
    },
  },
  {
    name: "bytes",
    python: "b'\\x00\\x01\\x02\\xff'",
    sent: bytes(0, 1, 2, 255),
    received: bytes(0, 1, 2, 255),
    carriers: {
      serpent: { pyGets: "{'data': 'AAEC/w==', 'encoding': 'base64'}" },
      marshal: {},
      msgpack: {},
    },
  },
  {
    name: "bytes empty",
    python: "b''",
    sent: new Uint8Array(0),
    received: new Uint8Array(0),
    carriers: {
      serpent: { pyGets: "{'data': '', 'encoding': 'base64'}" },
      marshal: {},
      msgpack: {},
    },
  },
  {
    name: "bytes 64k",
    python: "bytes(range(256)) * 256",
    sent: Uint8Array.from(range(65536), (i) => i & 0xff),
    received: Uint8Array.from(range(65536), (i) => i & 0xff),
    carriers: {
      serpent: {
        pyGets:
          "{'data': base64.b64encode(bytes(range(256)) * 256).decode(), 'encoding': 'base64'}",
      },
      marshal: {},
      msgpack: {},
    },
  },
  plain("list", "[1, 'a', None, True, 2.5]", [1, "a", null, true, 2.5]),
  plain("list empty", "[]", []),
  {
    name: "tuple",
    python: "(1, 'two', 3.0)",
    sent: tuple(1, "two", float(3)),
    received: [1, "two", 3],
    carriers: {
      serpent: {},
      json: { pyGets: "[1, 'two', 3.0]" },
      marshal: {},
      msgpack: { pyGets: "[1, 'two', 3.0]" },
    },
  },
  {
    name: "tuple empty",
    python: "()",
    sent: tuple(),
    received: [],
    carriers: { serpent: {}, json: { pyGets: "[]" }, marshal: {}, msgpack: { pyGets: "[]" } },
  },
  {
    name: "set",
    python: "{1, 2, 3}",
    sent: new Set([1, 2, 3]),
    received: new Set([1, 2, 3]),
    carriers: {
      serpent: {},
      json: { pyGets: "[1, 2, 3]", tsGets: [1, 2, 3] },
      marshal: {},
      msgpack: { pyGets: "[1, 2, 3]", tsGets: [1, 2, 3] },
    },
  },
  {
    name: "set empty",
    python: "set()",
    sent: new Set(),
    received: new Set(),
    carriers: {
      serpent: { pyGets: "()", tsGets: [] },
      json: { pyGets: "[]", tsGets: [] },
      marshal: {},
      msgpack: { pyGets: "[]", tsGets: [] },
    },
  },
  {
    name: "frozenset",
    python: "frozenset({'a'})",
    sent: SKIP,
    received: new Set(["a"]),
    carriers: { serpent: {}, marshal: {} },
  },
  plain("dict", "{'a': 1, 'b': [1, 2], 'c': {'d': None}}", { a: 1, b: [1, 2], c: { d: null } }),
  plain("dict empty", "{}", {}),
  plain(
    "dict with JS-special keys",
    "{'constructor': 1, 'toString': 2, 'hasOwnProperty': 3, '': 4}",
    { constructor: 1, toString: 2, hasOwnProperty: 3, "": 4 },
  ),
  {
    name: "dict with a __proto__ key",
    python: "{'__proto__': {'polluted': True}, 'x': 1}",
    sent: withProtoKey(),
    received: withProtoKey(),
    carriers: ALL,
  },
  {
    name: "dict int keys",
    python: "{1: 'one', 2: 'two'}",
    sent: new Map([
      [1, "one"],
      [2, "two"],
    ]),
    received: new Map([
      [1, "one"],
      [2, "two"],
    ]),
    carriers: {
      serpent: {},
      json: { pyGets: "{'1': 'one', '2': 'two'}", tsGets: { 1: "one", 2: "two" } },
      marshal: {},
      msgpack: { pyGets: null },
    },
  },
  {
    name: "dict mixed keys",
    python: "{1: 'a', 'b': 2, None: 3, False: 4, 2.5: 5, 2**70: 6}",
    sent: new Map<unknown, unknown>([
      [1, "a"],
      ["b", 2],
      [null, 3],
      [false, 4],
      [2.5, 5],
      [2n ** 70n, 6],
    ]),
    received: new Map<unknown, unknown>([
      [1, "a"],
      ["b", 2],
      [null, 3],
      [false, 4],
      [2.5, 5],
      [2n ** 70n, 6],
    ]),
    carriers: {
      serpent: {},
      json: {
        pyGets: "{'1': 'a', 'b': 2, 'null': 3, 'false': 4, '2.5': 5, '1180591620717411303424': 6}",
        tsGets: { 1: "a", b: 2, null: 3, false: 4, "2.5": 5, "1180591620717411303424": 6 },
      },
      marshal: {},
      msgpack: { pyGets: null },
    },
  },
  {
    name: "dict str keys in a Map",
    python: "{'a': 1, 'b': 2}",
    sent: new Map([
      ["a", 1],
      ["b", 2],
    ]),
    received: { a: 1, b: 2 },
    carriers: ALL,
  },
  {
    name: "dict float keys",
    python: "{0.5: 'half', 1e-07: 'tiny', 1e+16: 'big'}",
    sent: new Map<unknown, unknown>([
      [0.5, "half"],
      [1e-7, "tiny"],
      [float(1e16), "big"],
    ]),
    received: new Map<unknown, unknown>([
      [0.5, "half"],
      [1e-7, "tiny"],
      [1e16, "big"],
    ]),
    carriers: {
      serpent: {},
      json: {
        pyGets: "{'0.5': 'half', '1e-07': 'tiny', '1e+16': 'big'}",
        tsGets: { "0.5": "half", "1e-07": "tiny", "1e+16": "big" },
      },
      marshal: {},
      msgpack: { pyGets: null },
    },
  },
  {
    name: "dict tuple keys",
    python: "{(1, 2): 't', ('a',): 'u'}",
    sent: new Map<unknown, unknown>([
      [tuple(1, 2), "t"],
      [["a"], "u"],
    ]),
    received: new Map<unknown, unknown>([
      [[1, 2], "t"],
      [["a"], "u"],
    ]),
    carriers: {
      serpent: {},
      marshal: {},
      msgpack: { pyGets: null },
    },
  },
  {
    name: "complex",
    python: "complex(1.5, -2.5)",
    sent: complex(1.5, -2.5),
    received: complex(1.5, -2.5),
    carriers: { serpent: {}, marshal: {}, msgpack: {} },
  },
  {
    name: "nested mixed",
    python: "{'a': [{'b': (1, {2})}], 'c': ((), [[]], {'d': {}})}",
    sent: { a: [{ b: tuple(1, new Set([2])) }], c: tuple(tuple(), [[]], { d: {} }) },
    received: { a: [{ b: [1, new Set([2])] }], c: [[], [[]], { d: {} }] },
    carriers: {
      serpent: {},
      json: {
        pyGets: "{'a': [{'b': [1, [2]]}], 'c': [[], [[]], {'d': {}}]}",
        tsGets: { a: [{ b: [1, [2]] }], c: [[], [[]], { d: {} }] },
      },
      marshal: {},
      msgpack: {
        pyGets: "{'a': [{'b': [1, [2]]}], 'c': [[], [[]], {'d': {}}]}",
        tsGets: { a: [{ b: [1, [2]] }], c: [[], [[]], { d: {} }] },
      },
    },
  },
  plain("nested 200 deep", nestedPy(200), nested(200)),
  plain("list of 10k ints", "list(range(10000))", range(10_000)),
  {
    name: "list of 10k floats",
    python: "[i * 0.5 for i in range(10000)]",
    sent: range(10_000).map((i) => float(i * 0.5)),
    received: range(10_000).map((i) => i * 0.5),
    carriers: ALL,
  },
  plain(
    "list of 10k strings",
    "['s%d' % i for i in range(10000)]",
    range(10_000).map((i) => `s${i}`),
  ),
  plain("dict of 10k entries", "{'key-%d' % i: i for i in range(10000)}", bigDict),
  {
    name: "dict of 10k int keys",
    python: "{i: str(i) for i in range(10000)}",
    sent: new Map(range(10_000).map((i) => [i, String(i)])),
    received: new Map(range(10_000).map((i) => [i, String(i)])),
    carriers: {
      serpent: {},
      json: {
        pyGets: "{str(i): str(i) for i in range(10000)}",
        tsGets: Object.fromEntries(range(10_000).map((i) => [String(i), String(i)])),
      },
      marshal: {},
      msgpack: { pyGets: null },
    },
  },
  {
    name: "URI class dict",
    python: "Pyro4.core.URI('PYRO:obj@127.0.0.1:9999')",
    sent: { __class__: "Pyro4.core.URI", state: tuple("PYRO", "obj", null, "127.0.0.1", 9999) },
    received: { __class__: "Pyro4.core.URI", state: ["PYRO", "obj", null, "127.0.0.1", 9999] },
    carriers: ALL,
  },
  {
    name: "exception",
    python: "ValueError('bad value', 42)",
    sent: remoteError({
      type: "builtins.ValueError",
      args: ["bad value", 42],
      attributes: {},
      traceback: null,
    }),
    received: remoteError({
      type: "builtins.ValueError",
      args: ["bad value", 42],
      attributes: {},
      traceback: null,
    }),
    carriers: ALL,
  },
  {
    name: "Pyro exception in a list",
    python: "[Pyro4.errors.NamingError('unknown name: x')]",
    sent: [
      remoteError({
        type: "Pyro4.errors.NamingError",
        args: ["unknown name: x"],
        attributes: {},
        traceback: null,
      }),
    ],
    received: [
      remoteError({
        type: "Pyro4.errors.NamingError",
        args: ["unknown name: x"],
        attributes: {},
        traceback: null,
      }),
    ],
    // Python's marshal converts class instances at the top level only.
    carriers: { serpent: {}, json: {}, marshal: { tsGets: SKIP }, msgpack: {} },
  },
  {
    name: "datetime",
    python: "datetime.datetime(2023, 4, 5, 6, 7, 8, 123456)",
    sent: SKIP,
    received: "2023-04-05T06:07:08.123456",
    carriers: {
      serpent: {},
      json: {},
      msgpack: { tsGets: new Date(2023, 3, 5, 6, 7, 8, 123) },
    },
  },
  {
    name: "date",
    python: "datetime.date(2023, 4, 5)",
    sent: SKIP,
    received: "2023-04-05",
    carriers: { serpent: {}, json: {}, msgpack: {} },
  },
  {
    name: "uuid",
    python: "uuid.UUID('12345678-1234-5678-1234-567812345678')",
    sent: SKIP,
    received: "12345678-1234-5678-1234-567812345678",
    carriers: ALL,
  },
  {
    name: "decimal",
    python: "decimal.Decimal('3.14159265358979323846')",
    sent: SKIP,
    received: "3.14159265358979323846",
    carriers: { serpent: {}, json: {}, msgpack: {} },
  },
];

/** One INVOKE payload, checked with Pyro4's `serializeCall` / `deserializeCall`. */
export interface CorpusCall {
  readonly name: string;
  readonly objectId: string;
  readonly method: string;
  readonly vargs: readonly unknown[];
  readonly kwargs: Readonly<Record<string, unknown>> | null;
  /** Python expressions for Pyro4's `serializeCall(objid, method, vargs, kwargs)`. */
  readonly pythonVargs: string;
  readonly pythonKwargs: string;
}

/** Calls every serializer must exchange with Python in both directions. */
export const CORPUS_CALLS: readonly CorpusCall[] = [
  {
    name: "echo('hello')",
    objectId: "test.echoserver",
    method: "echo",
    vargs: ["hello"],
    kwargs: {},
    pythonVargs: "['hello']",
    pythonKwargs: "{}",
  },
  {
    name: "kw call",
    objectId: "lab",
    method: "kw",
    vargs: [1, 2.5, "é😀", [null, true]],
    kwargs: { x: 5, y: "six", z: { deep: [1] } },
    pythonVargs: "[1, 2.5, 'é😀', [None, True]]",
    pythonKwargs: "{'x': 5, 'y': 'six', 'z': {'deep': [1]}}",
  },
];
