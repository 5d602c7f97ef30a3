/**
 * pyright's inference where the source has no types: what it infers for unannotated code,
 * that the machine's Python installation never leaks in, and that a failed run is a warning.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inferTypes } from "../../../src/codegen/source/inference.js";
import { SourceFiles } from "../../../src/codegen/source/source-files.js";
import { readSourceTypes } from "../../../src/codegen/source/source-types.js";
import { Symbols } from "../../../src/codegen/source/symbols.js";

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "pyrogen-infer-test-"));
  await writeFile(
    path.join(dir, "server.py"),
    [
      "import serpent",
      "import numpy",
      "import Pyro4",
      "try:",
      "    import queue",
      "except ImportError:  # Python 2",
      "    import Queue as queue",
      "",
      "class Base(object):",
      "    @Pyro4.expose",
      "    def inherited(self):",
      "        return {'a': 1.5}",
      "",
      "@Pyro4.expose",
      "class Server(Base):",
      "    def __init__(self):",
      "        self._items = ['a', 'b']",
      "        self._queue = queue.Queue()",
      "    def pending(self):",
      "        return self._queue.qsize()",
      "    def items(self):",
      "        return list(self._items)",
      "    def count(self):",
      "        return len(self._items)",
      "    def stream(self):",
      "        for item in self._items:",
      "            yield item",
      "    def encoded(self, value):",
      "        return serpent.dumps(value)",
      "    def array(self):",
      "        return numpy.zeros(3)",
      "    @property",
      "    def size(self):",
      "        return 3",
      "",
      "# A server's request loop: code after it is unreachable, the class is not.",
      "while True:",
      "    pass",
    ].join("\n"),
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("pyright inference", () => {
  it("types unannotated results, inherited members and properties", async () => {
    const types = await readSourceTypes(
      {
        entries: [path.join(dir, "server.py")],
        className: "Server",
        serializer: "serpent",
        infer: true,
        validate: false,
        classOverrides: {},
        metadata: undefined,
      },
      (name) => name,
    );
    const returns = Object.fromEntries(
      [...types.main.methods].map(([name, m]) => [name, m.returns]),
    );
    expect(returns).toEqual({
      items: "string[]",
      count: "number",
      // A Python 2 fallback import (`Queue`) does not make the name unknown.
      pending: "number",
      stream: "AsyncIterable<string>",
      inherited: "Record<string, number>",
      // serpent and numpy are not part of the source: pyright does not see the machine's
      // Python packages, so the same source infers the same types on every machine.
      encoded: "unknown",
      array: "unknown",
    });
    expect(types.main.attrs.get("size")!.type).toBe("number");
    expect(types.provenance).toMatch(/inferred by pyright \d+\.\d+\.\d+$/);
  }, 60_000);

  it("reports a failed run instead of failing (here: a deadline it cannot meet)", async () => {
    const files = await SourceFiles.load([path.join(dir, "server.py")]);
    const symbols = await Symbols.load(files);
    const info = symbols.classNamed("server.Server")!;
    const outcome = await inferTypes(
      files.all(),
      [{ key: "k", info, member: "items", kind: "result" }],
      1,
    );
    expect(outcome).toEqual({ ok: false, reason: "pyright did not finish within 1 ms" });
  });

  it("--no-infer leaves the unannotated results unknown", async () => {
    const types = await readSourceTypes(
      {
        entries: [path.join(dir, "server.py")],
        className: "Server",
        serializer: "serpent",
        infer: false,
        validate: false,
        classOverrides: {},
        metadata: undefined,
      },
      (name) => name,
    );
    expect(types.main.methods.get("items")!.returns).toBe("unknown");
    expect(types.provenance).not.toMatch(/pyright/);
  });
});
