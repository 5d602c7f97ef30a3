/**
 * The Python reader: imports, classes, functions, parameter kinds, annotations, defaults,
 * docstrings and what a body yields and raises, from source text (no interpreter).
 */
import { describe, expect, it } from "vitest";
import { cleanDocstring, decodeStringLiteral } from "../../../src/codegen/source/python-strings.js";
import type { PyFunction } from "../../../src/codegen/source/python-model.js";
import { parseExpression, parsePython } from "../../../src/codegen/source/python-syntax.js";
import { describe as show } from "../../../src/codegen/source/symbols.js";

function onlyFunction(source: string): PyFunction {
  const statement = parsePython(source).body[0];
  if (statement?.kind !== "def") throw new Error("not a def");
  return statement.fn;
}

describe("parsePython", () => {
  it("reads every form of import, with the names they bind", () => {
    const module = parsePython(
      [
        "import a.b as c, d.e",
        "from ..pkg.sub import (x as y, z)",
        "from . import sibling",
        "from m import *",
        "if TYPE_CHECKING:",
        "    from typing import Optional",
        "try:",
        "    import fast as json",
        "except ImportError:",
        "    import json",
      ].join("\n"),
    );
    expect(module.imports).toEqual([
      { local: "c", module: "a.b", member: undefined, level: 0 },
      { local: "d", module: "d", member: undefined, level: 0 },
      { local: "y", module: "pkg.sub", member: "x", level: 2 },
      { local: "z", module: "pkg.sub", member: "z", level: 2 },
      { local: "sibling", module: "", member: "sibling", level: 1 },
      { local: "Optional", module: "typing", member: "Optional", level: 0 },
      { local: "json", module: "fast", member: undefined, level: 0 },
      { local: "json", module: "json", member: undefined, level: 0 },
    ]);
  });

  it("reads parameter kinds, annotations and defaults, `/` and `*` markers included", () => {
    const fn = onlyFunction(
      "def f(self, a: int, /, b: 'Song' = None, *args: str, c: bool, d=-1.5, **kw: float) -> list[int]: pass",
    );
    expect(
      fn.params.map((p) => [
        p.name,
        p.kind,
        p.annotation && show(p.annotation),
        p.default && show(p.default),
      ]),
    ).toEqual([
      ["self", "positional-only", undefined, undefined],
      ["a", "positional-only", "int", undefined],
      ["b", "positional", '"Song"', "None"],
      ["args", "var-positional", "str", undefined],
      ["c", "keyword-only", "bool", undefined],
      ["d", "keyword-only", undefined, "-1.5"],
      ["kw", "var-keyword", "float", undefined],
    ]);
    expect(fn.returns && show(fn.returns)).toBe("list[int]");
    expect(onlyFunction("def g(a, b, /): pass").params.map((p) => p.kind)).toEqual([
      "positional-only",
      "positional-only",
    ]);
    expect(onlyFunction("def h(*, k=1): pass").params.map((p) => [p.name, p.kind])).toEqual([
      ["k", "keyword-only"],
    ]);
  });

  it("reads decorators with their arguments, outermost first", () => {
    const module = parsePython(
      "@Pyro4.expose\n@Pyro4.behavior(instance_mode='single')\nclass A(Base, metaclass=M, total=False):\n    x: int\n",
    );
    const statement = module.body[0]!;
    if (statement.kind !== "class") throw new Error("not a class");
    expect(statement.cls.decorators.map(show)).toEqual(["Pyro4.expose", "Pyro4.behavior(…)"]);
    expect(statement.cls.bases.map(show)).toEqual(["Base"]);
    expect(statement.cls.keywords.map((k) => [k.name, show(k.value)])).toEqual([
      ["metaclass", "M"],
      ["total", "False"],
    ]);
  });

  it("tells generators by a yield of their own, not of a nested function", () => {
    expect(onlyFunction("def f():\n    yield 1\n").isGenerator).toBe(true);
    expect(onlyFunction("def f():\n    x = yield\n").isGenerator).toBe(true);
    expect(
      onlyFunction("def f():\n    def g():\n        yield 1\n    return g\n").isGenerator,
    ).toBe(false);
    expect(onlyFunction("def f():\n    return (lambda: 1)\n").isGenerator).toBe(false);
  });

  it("collects raised classes, returned values and self attributes", () => {
    const fn = onlyFunction(
      [
        "def f(self, x):",
        "    if x:",
        "        raise ValueError('bad')",
        "    self.count: int = 0",
        "    self.name = x",
        "    raise errors.Custom",
        "    return x",
      ].join("\n"),
    );
    expect(fn.raises.map(show)).toEqual(["ValueError", "errors.Custom"]);
    expect(fn.returnValues.map(show)).toEqual(["x"]);
    expect(fn.selfAssignments.map((a) => [a.name, a.annotation && show(a.annotation)])).toEqual([
      ["count", "int"],
      ["name", undefined],
    ]);
  });

  it("reads docstrings (and only a leading string is one)", () => {
    expect(onlyFunction('def f():\n    """Doc\n    more."""\n').docstring).toBe("Doc\n    more.");
    expect(onlyFunction("def f():\n    x = 1\n    'not a docstring'\n").docstring).toBeUndefined();
    expect(onlyFunction("def f():\n    f'{x}'\n").docstring).toBeUndefined();
  });

  it("reads newer syntax: PEP 695 aliases and type parameters, match, walrus", () => {
    const module = parsePython(
      [
        "type Pair[T] = tuple[T, T]",
        "class Box[T]:",
        "    def get[U](self, u: U) -> T:",
        "        match u:",
        "            case 1: pass",
        "        if (n := 2) > 1: pass",
      ].join("\n"),
    );
    expect(module.errorLines).toEqual([]);
    const alias = module.body[0]!;
    expect(alias.kind === "assign" && alias.explicitAlias && alias.targets).toEqual(["Pair"]);
  });

  it("finds the classes a server registers with its daemon", () => {
    const module = parsePython(
      "def main():\n    daemon.register(Music(), 'music')\n    d.register(Other)\n    x.register(obj)\n",
    );
    expect([...module.registered].sort()).toEqual(["Music", "Other", "obj"]);
  });

  it("reports the lines it cannot read instead of failing", () => {
    const module = parsePython(
      "class A:\n    def f(self) -> :\n        pass\n\nclass B:\n    pass\n",
    );
    expect(module.errorLines.length).toBeGreaterThan(0);
    expect(module.body.some((s) => s.kind === "class" && s.cls.name === "B")).toBe(true);
  });
});

describe("parseExpression", () => {
  it("parses a type expression and refuses what is not one", () => {
    expect(show(parseExpression("dict[str, list[int | None]]")!)).toBe(
      "dict[str, list[int | None]]",
    );
    expect(parseExpression("(x: int) -> str")).toBeUndefined();
    expect(parseExpression("a b")).toBeUndefined();
  });
});

describe("Python string literals", () => {
  it("decodes prefixes, quotes and escapes as Python does", () => {
    expect(decodeStringLiteral(String.raw`'a\n\tb\x41\u00e9\101'`)).toEqual({
      value: "a\n\tbAéA",
      bytes: false,
    });
    expect(decodeStringLiteral(String.raw`r'\n'`)).toEqual({ value: "\\n", bytes: false });
    expect(decodeStringLiteral(String.raw`b"\x00\u0041"`)).toEqual({
      value: "\x00\\u0041",
      bytes: true,
    });
    expect(decodeStringLiteral('"""tri\n"ple"""')).toEqual({ value: 'tri\n"ple', bytes: false });
    expect(decodeStringLiteral("f'{x}'")).toBeUndefined();
  });

  it("cleans docstrings as inspect.cleandoc", () => {
    expect(cleanDocstring("Summary.\n\n    Body line\n      indented\n    ")).toBe(
      "Summary.\n\nBody line\n  indented",
    );
  });
});
