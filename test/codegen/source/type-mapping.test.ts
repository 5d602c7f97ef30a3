/**
 * Python types to TypeScript, per serializer: annotations (PEP 484/585/604 forms), aliases,
 * structured classes, generators, parameters and keyword arguments, the `--validate`
 * schemas, and what each serializer cannot carry. Each case is a small server written to a
 * temporary folder and read with `readSourceTypes` (no inference, so the answer is the
 * annotation's).
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  readSourceTypes,
  SourceTypesError,
  type SourceTypes,
} from "../../../src/codegen/source/source-types.js";
import type { SerializerName } from "../../../src/runtime/serializers/serializer.js";

const folders: string[] = [];
afterAll(async () => {
  await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
});

interface Options {
  serializer?: SerializerName;
  className?: string;
  classes?: Record<string, string>;
  entry?: string;
}

/** Write `files` (the first is the entry unless `entry` says) and read their types. */
async function read(files: Record<string, string>, options: Options = {}): Promise<SourceTypes> {
  const dir = await mkdtemp(path.join(tmpdir(), "pyrogen-types-"));
  folders.push(dir);
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return readSourceTypes(
    {
      entries: [path.join(dir, options.entry ?? Object.keys(files)[0]!)],
      className: options.className,
      serializer: options.serializer ?? "serpent",
      infer: false,
      validate: true,
      classOverrides: options.classes ?? {},
      metadata: undefined,
    },
    (name) => name,
  );
}

/** `name(params) => returns` for each method, and `name: type` for each attribute. */
function signatures(types: SourceTypes): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, m] of types.main.methods) {
    const params = m.params.map(
      (p) => `${p.rest ? "..." : ""}${p.name}${p.optional ? "?" : ""}: ${p.type}`,
    );
    out[name] = `(${params.join(", ")}) => ${m.returns}`;
  }
  for (const [name, a] of types.main.attrs) out[name] = `${a.readonly ? "readonly " : ""}${a.type}`;
  return out;
}

const server = (body: string, header = ""): string =>
  `import Pyro4\n${header}\n@Pyro4.expose\nclass S(object):\n${body
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n")}\n`;

describe("annotations", () => {
  it("maps builtins, containers, unions, literals and Any", async () => {
    const types = await read({
      "s.py": server(
        [
          "def a(self, x: int, y: float, z: bool, s: str, b: bytes) -> None: pass",
          "def b(self) -> list[tuple[int, str]]: pass",
          "def c(self) -> tuple[float, ...]: pass",
          "def d(self) -> dict[str, set[int]]: pass",
          "def e(self) -> Optional[str]: pass",
          "def f(self) -> Union[int, 'str', None]: pass",
          "def g(self) -> int | None: pass",
          "def h(self) -> Literal['a', -1, True, None, 2**70]: pass",
          "def i(self) -> Literal[9007199254740993]: pass",
          "def j(self, x: Any) -> object: pass",
          "def k(self) -> NoReturn: pass",
          "def l(self) -> typing.Sequence[bytearray]: pass",
          "def m(self) -> frozenset[int]: pass",
          "def n(self) -> tuple[()]: pass",
          "def o(self) -> Annotated[int, 'meta']: pass",
        ].join("\n"),
        "import typing\nfrom typing import Annotated, Any, Literal, NoReturn, Optional, Union",
      ),
    });
    expect(signatures(types)).toMatchObject({
      a: "(x: number, y: number, z: boolean, s: string, b: Uint8Array) => void",
      b: "() => [number, string][]",
      c: "() => number[]",
      d: "() => Record<string, Set<number> | []>",
      e: "() => string | null",
      f: "() => number | string | null",
      g: "() => number | null",
      // 2**70 is not a literal Python allows in Literal[]: the whole Literal is unknown.
      h: "() => unknown",
      i: "() => 9007199254740993n",
      j: "(x: unknown) => unknown",
      k: "() => never",
      l: "() => Uint8Array[]",
      m: "() => Set<number> | []",
      n: "() => []",
      o: "() => number",
    });
  });

  it("reads string annotations and `from __future__ import annotations` forward references", async () => {
    const types = await read({
      "s.py":
        "from __future__ import annotations\nfrom typing import TypedDict\nimport Pyro4\n" +
        "@Pyro4.expose\nclass S(object):\n    def f(self) -> Later: pass\n    def g(self) -> 'list[Later]': pass\n" +
        "class Later(TypedDict):\n    x: int\n",
    });
    expect(signatures(types)).toEqual({ f: "() => Later", g: "() => Later[]" });
    expect(types.declarations).toEqual(["export interface Later {\nx: number;\n}"]);
  });

  it("follows aliases: TypeAlias, implicit, PEP 695 `type`, NewType, recursive ones", async () => {
    const types = await read({
      "s.py": server(
        [
          "def a(self) -> Scores: pass",
          "def b(self) -> MaybeName: pass",
          "def c(self) -> Pair: pass",
          "def d(self) -> UserId: pass",
          "def e(self) -> Json: pass",
          "def f(self) -> NOT_A_TYPE: pass",
        ].join("\n"),
        [
          "from typing import NewType, Optional, TypeAlias, Union",
          "Scores: TypeAlias = dict[str, list[float]]",
          "MaybeName = Optional[str]",
          "type Pair = tuple[int, int]",
          "UserId = NewType('UserId', int)",
          "Json = Union[str, int, list['Json'], dict[str, 'Json'], None]",
          "NOT_A_TYPE = 3",
        ].join("\n"),
      ),
    });
    expect(signatures(types)).toEqual({
      a: "() => Scores",
      b: "() => MaybeName",
      c: "() => Pair",
      d: "() => number",
      e: "() => Json",
      f: "() => unknown",
    });
    expect(types.declarations).toEqual([
      "export type Json = string | number | Json[] | Record<string, Json> | null;",
      "export type MaybeName = string | null;",
      "export type Pair = [number, number];",
      "export type Scores = Record<string, number[]>;",
    ]);
  });

  it("types structured classes as what arrives: TypedDict, NamedTuple, dataclass, enums, plain classes", async () => {
    const types = await read({
      "s.py": server(
        [
          "def a(self) -> Song: pass",
          "def b(self) -> Point: pass",
          "def c(self) -> Album: pass",
          "def d(self) -> Color: pass",
          "def e(self) -> Level: pass",
          "def f(self) -> Mode: pass",
          "def g(self) -> Thing: pass",
        ].join("\n"),
        [
          "import dataclasses, enum",
          "from typing import ClassVar, NamedTuple, NotRequired, Required, TypedDict",
          "class Base(TypedDict, total=False):",
          "    extra: str",
          "class Song(Base):",
          "    title: str",
          "    seconds: NotRequired[int]",
          "class Point(NamedTuple):",
          "    x: int",
          "    y: float",
          "@dataclasses.dataclass(frozen=True)",
          "class Album:",
          "    name: str",
          "    count: ClassVar[int] = 0",
          "class Color(enum.Enum):",
          "    RED = 'red'",
          "    GREEN = 'green'",
          "class Level(enum.IntEnum):",
          "    LOW = enum.auto()",
          "    HIGH = enum.auto()",
          "class Mode(str, enum.Enum):",
          "    FAST = 'fast'",
          "class Thing:",
          "    label: str",
          "    def __init__(self):",
          "        self.size: int = 1",
          "        self._other = None",
        ].join("\n"),
      ),
    });
    expect(signatures(types)).toEqual({
      a: "() => Song",
      b: "() => Point",
      c: "() => Album",
      d: '() => "red" | "green"',
      e: "() => 1 | 2",
      f: '() => "fast"',
      g: "() => Thing",
    });
    expect(types.declarations).toEqual([
      "export interface Album {\n__class__: string;\nname: string;\n}",
      "export type Point = [x: number, y: number];",
      "export interface Song {\nextra?: string;\ntitle: string;\nseconds?: number;\n}",
      "export interface Thing {\n__class__: string;\nlabel: string;\nsize: number;\n_other: unknown;\n[key: string]: unknown;\n}",
    ]);
  });

  it("follows classes into other modules of the source, relative imports included", async () => {
    const types = await read(
      {
        "pkg/__init__.py": "",
        "pkg/server.py":
          "import Pyro4\nfrom .models import Song\nfrom . import models\n" +
          "@Pyro4.expose\nclass S(object):\n    def a(self) -> Song: pass\n    def b(self) -> models.Tag: pass\n",
        "pkg/models.py":
          "from typing import TypedDict\nclass Song(TypedDict):\n    title: str\nclass Tag(TypedDict):\n    name: str\n",
      },
      { entry: "pkg" },
    );
    expect(signatures(types)).toEqual({ a: "() => Song", b: "() => Tag" });
  });

  it("types generators, iterators and iterables by their items", async () => {
    const types = await read({
      "s.py": server(
        [
          "def a(self) -> Iterator[int]: yield 1",
          "def b(self) -> Generator[str, None, None]: yield 'x'",
          "def c(self) -> Iterable[float]: return [1.0]",
          "def d(self):",
          "    yield 1",
          "def e(self) -> list[Iterator[int]]: pass",
        ].join("\n"),
        "from collections.abc import Generator, Iterable, Iterator",
      ),
    });
    expect(signatures(types)).toEqual({
      a: "() => AsyncIterable<number>",
      b: "() => AsyncIterable<string>",
      c: "() => AsyncIterable<number> | number[]",
      d: "() => AsyncIterable<unknown>",
      // Only a method's own result can be a remote iterator; inside a value it cannot.
      e: "() => number[][]",
    });
  });
});

describe("parameters", () => {
  it("maps defaults, *args, keyword-only parameters and **kwargs", async () => {
    const types = await read({
      "s.py": server(
        [
          "def a(self, x, y=1, z=2.5, w='s', v=None, u=b'') -> None: pass",
          "def b(self, *values: int) -> None: pass",
          "def c(self, x: int, *, scale: float = 1.0, label: str) -> None: pass",
          "def d(self, **options: int) -> None: pass",
          "def e(self, first: str, *more: str, upper: bool = False, **extra: str) -> None: pass",
          "def f(self, *items: int, strict: bool) -> None: pass",
          "@staticmethod",
          "def g(x: int) -> None: pass",
          "@classmethod",
          "def h(cls, x: int) -> None: pass",
          "def i(self, delete: int, default, kwargs) -> None: pass",
        ].join("\n"),
      ),
    });
    expect(signatures(types)).toEqual({
      a: "(x: unknown, y?: number, z?: number, w?: string, v?: unknown, u?: Uint8Array) => void",
      b: "(...values: number[]) => void",
      c: "(x: number, kwargs: pyrogen.Kwargs<{ scale?: number; label: string; }>) => void",
      d: "(kwargs?: pyrogen.Kwargs<{ [key: string]: number; }>) => void",
      e:
        "(first: string, ...more: string[] | [...string[], pyrogen.Kwargs<{ upper?: boolean; " +
        "[key: string]: string | boolean | undefined; }>]) => void",
      f: "(...items: [...number[], pyrogen.Kwargs<{ strict: boolean; }>]) => void",
      g: "(x: number) => void",
      h: "(x: number) => void",
      // Reserved words are renamed (arguments are positional; names only document them).
      i: "(delete_: number, default_: unknown, kwargs_: unknown) => void",
    });
  });

  it("records Python's parameter names where an optional one comes before another", async () => {
    const types = await read({
      "s.py": server(
        "def a(self, x, y=1, z=2): pass\ndef b(self, x, y=1): pass\ndef c(self, p=1, /, q=2): pass",
      ),
    });
    expect(types.main.methods.get("a")!.positionalNames).toEqual(["x", "y", "z"]);
    expect(types.main.methods.get("b")!.positionalNames).toBeUndefined();
    expect(types.main.methods.get("c")!.positionalNames).toEqual([null, "q"]);
  });
});

describe("per serializer: what arrives", () => {
  const body = [
    "def a(self) -> set[str]: pass",
    "def b(self) -> dict[int, str]: pass",
    "def c(self) -> bytes: pass",
    "def d(self) -> datetime.datetime: pass",
    "def e(self) -> frozenset[int]: pass",
    "def f(self) -> complex: pass",
    "def g(self) -> Point: pass",
    "def h(self) -> decimal.Decimal: pass",
    "def i(self) -> uuid.UUID: pass",
  ].join("\n");
  const header =
    "import datetime, decimal, uuid\nfrom typing import NamedTuple\nclass Point(NamedTuple):\n    x: int\n";

  it.each([
    [
      "serpent",
      {
        a: "() => Set<string> | []",
        b: "() => Map<number, string> | Record<string, never>",
        c: "() => Uint8Array",
        d: "() => string",
        e: "() => Set<number> | []",
        f: "() => pyrogen.PyComplex",
        g: "() => Point",
      },
      [],
    ],
    [
      "json",
      {
        a: "() => string[]",
        b: "() => Record<string, string>",
        c: "() => never",
        d: "() => string",
        e: "() => never",
        f: "() => never",
        g: "() => Point",
      },
      ["c", "e", "f"],
    ],
    [
      "marshal",
      {
        a: "() => Set<string>",
        b: "() => Map<number, string> | Record<string, never>",
        c: "() => Uint8Array",
        d: "() => never",
        e: "() => Set<number>",
        f: "() => pyrogen.PyComplex",
        g: "() => never",
        h: "() => never",
        i: "() => string",
      },
      ["d", "g", "h"],
    ],
    [
      "msgpack",
      {
        a: "() => string[]",
        b: "() => Map<number, string> | Record<string, never>",
        c: "() => Uint8Array",
        d: "() => Date",
        e: "() => never",
        f: "() => pyrogen.PyComplex",
        g: "() => Point",
      },
      ["e"],
    ],
  ] as const)("%s", async (serializer, expected, warned) => {
    const types = await read({ "s.py": server(body, header) }, { serializer });
    expect(signatures(types)).toMatchObject(expected);
    const members = types.warnings.map((w) => /S\.(\w+) result/.exec(w)?.[1]).sort();
    expect(members).toEqual([...warned].sort());
    for (const warning of types.warnings)
      expect(warning).toMatch(/cannot travel with \w+; .* can \(typed never\)/);
  });

  it("a config class override replaces what the class would arrive as", async () => {
    const types = await read(
      {
        "s.py": server(
          "def a(self) -> Point: pass",
          "from typing import NamedTuple\nclass Point(NamedTuple):\n    x: int\n",
        ),
      },
      { classes: { "s.Point": "import('./point.js').Point" } },
    );
    expect(signatures(types)).toEqual({ a: "() => import('./point.js').Point" });
  });
});

describe("properties, returned objects and checks", () => {
  it("types properties, read-only without a setter", async () => {
    const types = await read({
      "s.py": server(
        "@property\ndef a(self) -> int: return 1\n@property\ndef b(self) -> str: return ''\n@b.setter\ndef b(self, v: str) -> None: pass",
      ),
    });
    expect(signatures(types)).toEqual({ a: "readonly number", b: "string" });
  });

  it("types a returned Pyro object as a typed client of its class", async () => {
    const types = await read(
      {
        "s.py": [
          "import Pyro4",
          "@Pyro4.expose",
          "class Item(object):",
          "    def size(self) -> int: return 1",
          "@Pyro4.expose",
          "class S(object):",
          "    def make(self) -> Item: pass",
          "    def maybe(self) -> Item | None: pass",
          "    def many(self) -> list[Item]: pass",
          // Unannotated: what a method does with its own daemon says what it returns.
          "    def made_here(self):",
          "        item = Item()",
          "        uri = self._pyroDaemon.register(item)",
          "        return Pyro4.Proxy(uri)",
          "    def uri_of(self):",
          "        return self._pyroDaemon.register(Item())",
          "    def proxy_of(self, uri):",
          "        return Pyro4.Proxy(uri)",
        ].join("\n"),
      },
      { className: "S" },
    );
    expect(signatures(types)).toEqual({
      make: "() => ItemClient",
      maybe: "() => ItemClient | null",
      many: "() => pyrogen.PyroProxy[]",
      made_here: "() => ItemClient",
      uri_of: "() => pyrogen.URI",
      proxy_of: "(uri: unknown) => pyrogen.PyroProxy",
    });
    expect(types.main.methods.get("make")!.client).toBe("ItemDescriptor");
    expect(types.main.methods.get("made_here")!.client).toBe("ItemDescriptor");
    expect(types.clients.map((c) => [c.interfaceName, [...c.methods.keys()]])).toEqual([
      ["Item", ["size"]],
    ]);
  });

  it("emits a zod schema per result, with named schemas for named types", async () => {
    const types = await read({
      "s.py": server(
        "def a(self) -> list[Song]: pass\ndef b(self) -> float: pass\ndef c(self) -> Iterator[int]: yield 1",
        "from collections.abc import Iterator\nfrom typing import TypedDict\nclass Song(TypedDict):\n    title: str\n    tags: 'list[Song]'\n",
      ),
    });
    expect(types.main.methods.get("a")!.check).toEqual({
      value: "z.array(z.lazy(() => SongSchema))",
    });
    expect(types.main.methods.get("b")!.check).toEqual({ value: "pyFloat" });
    expect(types.main.methods.get("c")!.check).toEqual({
      value: "remoteIterable",
      items: "z.int()",
    });
    expect(types.schemas.filter((s) => s.startsWith("const Song"))).toEqual([
      "const SongSchema: z.ZodType = z.object({ title: z.string(), tags: z.array(z.lazy(() => SongSchema)) });",
    ]);
  });
});

describe("choosing the class", () => {
  it("takes the only exposed class, else the registered one, else asks for --class", async () => {
    const two =
      "import Pyro4\n@Pyro4.expose\nclass A(object):\n    def x(self): pass\n@Pyro4.expose\nclass B(object):\n    def y(self): pass\n";
    await expect(read({ "s.py": two })).rejects.toThrow(
      /several classes that expose members \(s\.A, s\.B\); choose one with --class/,
    );
    const registered = await read({ "s.py": `${two}def main(d):\n    d.register(B())\n` });
    expect(registered.qualname).toBe("s.B");
    await expect(read({ "s.py": two }, { className: "C" })).rejects.toThrow(SourceTypesError);
    await expect(read({ "s.py": "class A:\n    pass\n" })).rejects.toThrow(
      /no class that exposes anything/,
    );
  });
});
