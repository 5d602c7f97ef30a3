/**
 * The serializer catalog (`src/runtime/serializers/catalog.ts`) is the one list of
 * serializers: config validation, the CLI's choices and the docs follow it.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PyroConfig } from "../../src/runtime/config.js";
import { SERIALIZER_NAMES, SERIALIZER_TRAITS } from "../../src/runtime/serializers/catalog.js";
import { createSerializer } from "../../src/runtime/serializers/index.js";
import { runCli } from "../cli/run-cli.js";
import { ROOT } from "../harness/python.js";

const doc = (name: string): Promise<string> => readFile(path.join(ROOT, "docs", name), "utf8");

describe("the serializer catalog", () => {
  it("has a codec for every name, and traits under the same name", () => {
    for (const name of SERIALIZER_NAMES) {
      expect(SERIALIZER_TRAITS[name].name).toBe(name);
      expect(createSerializer(name).name).toBe(name);
    }
    expect(Object.keys(SERIALIZER_TRAITS).sort()).toEqual([...SERIALIZER_NAMES].sort());
  });

  it("is what the SERIALIZER config item accepts, and its error lists", () => {
    for (const name of SERIALIZER_NAMES) {
      expect(new PyroConfig({ SERIALIZER: name }).get("SERIALIZER")).toBe(name);
    }
    expect(() => new PyroConfig({ SERIALIZER: "pickle" as never })).toThrow(
      `must be one of ${SERIALIZER_NAMES.join(", ")}`,
    );
  });

  it("is what --serializer accepts", async () => {
    const result = await runCli(["inspect", "PYRO:x@127.0.0.1:1", "--serializer", "pickle"]);
    expect(result.stderr).toContain(`Allowed choices are ${SERIALIZER_NAMES.join(", ")}.`);
  });

  it("is what the docs list", async () => {
    expect(await doc("cli.md")).toContain(`\`--serializer <${SERIALIZER_NAMES.join("\\|")}>\``);
    // The first cells of the table of per-serializer differences in values.md.
    const table = (await doc("values.md")).split("\n| serializer ")[1]?.split("\n\n")[0] ?? "";
    const names = [...table.matchAll(/^\| (\w+)/gm)].map((match) => match[1]);
    expect(names).toEqual([...SERIALIZER_NAMES]);
  });
});
