/**
 * The corpus (corpus.ts) against Python's real json, marshal and msgpack as Pyro4 uses them.
 * Two Python runs in all: one encodes every case with every serializer, one decodes and
 * strictly compares everything pyrogen encoded; each case then gets its own verdict here.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { PyroError } from "../../src/runtime/errors.js";
import { pyro4Dialect } from "../../src/runtime/protocol-pyro4/dialect.js";
import type { ClassRegistry } from "../../src/runtime/serializers/class-registry.js";
import { JsonSerializer } from "../../src/runtime/serializers/json.js";
import { MarshalSerializer } from "../../src/runtime/serializers/marshal.js";
import { MsgpackSerializer } from "../../src/runtime/serializers/msgpack.js";
import type { Serializer } from "../../src/runtime/serializers/serializer.js";
import { URI } from "../../src/runtime/uri.js";
import { FIXTURES, findPython, pythonEnv } from "../harness/python.js";
import { difference } from "./compare.js";
import { CORPUS, CORPUS_CALLS, SKIP, type CorpusCase } from "./corpus.js";
import { dumpsCall, loadsCall } from "./codec-helpers.js";

type Name = "json" | "marshal" | "msgpack";
const NAMES: readonly Name[] = ["json", "marshal", "msgpack"];

/** A registry without URI/proxy hooks (class dicts stay dicts) that still sends errors. */
function registry(): ClassRegistry {
  const registry = pyro4Dialect.createRegistry();
  registry.unregisterDictToClass(pyro4Dialect.uriClass).unregisterClassToDict(URI);
  return registry;
}

function serializer(name: Name): Serializer {
  if (name === "json") return new JsonSerializer(registry());
  if (name === "marshal") return new MarshalSerializer(registry());
  return new MsgpackSerializer(registry());
}

function runScript<T>(mode: "encode" | "check", items: unknown[]): T {
  const output = execFileSync(
    findPython(),
    [path.join(FIXTURES, "serializer_conformance.py"), mode],
    {
      input: JSON.stringify({ items }),
      env: pythonEnv(),
      maxBuffer: 512 * 1024 * 1024,
    },
  );
  return JSON.parse(output.toString("utf8")) as T;
}

const b64 = (data: Uint8Array): string => Buffer.from(data).toString("base64");
const unb64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "base64"));
const key = (name: Name, label: string): string => `${name}:${label}`;

function pyExpectation(name: Name, c: CorpusCase): string | null {
  const carrier = c.carriers[name];
  if (carrier === undefined || carrier.pyGets === null) return null;
  return carrier.pyGets ?? c.python;
}

let fromPython: Record<string, { data?: string; error?: string }> = {};
let verdicts: Record<string, string> = {};
const localErrors = new Map<string, unknown>();

beforeAll(() => {
  const encodeItems: unknown[] = [];
  const checkItems: unknown[] = [];
  for (const name of NAMES) {
    const ours = serializer(name);
    for (const c of CORPUS) {
      encodeItems.push({ key: key(name, c.name), serializer: name, python: c.python });
      const expect = pyExpectation(name, c);
      if (c.sent === SKIP || expect === null) continue;
      try {
        checkItems.push({
          key: key(name, c.name),
          serializer: name,
          data: b64(ours.dumps(c.sent)),
          expect,
        });
      } catch (error) {
        localErrors.set(key(name, c.name), error);
      }
    }
    for (const call of CORPUS_CALLS) {
      const label = `call ${call.name}`;
      encodeItems.push({
        key: key(name, label),
        serializer: name,
        call: [call.objectId, call.method, call.pythonVargs, call.pythonKwargs],
      });
      checkItems.push({
        key: key(name, label),
        serializer: name,
        call: true,
        data: b64(dumpsCall(ours, call)),
        expect: `(${JSON.stringify(call.objectId)}, ${JSON.stringify(call.method)}, ${call.pythonVargs}, ${call.pythonKwargs})`,
      });
    }
  }
  fromPython = runScript("encode", encodeItems);
  verdicts = runScript("check", checkItems);
}, 60_000);

describe.each(NAMES)("%s conformance with Pyro4 4.82", (name) => {
  describe("Python encodes, pyrogen decodes", () => {
    it.each(CORPUS.map((c) => [c.name, c] as const))("%s", (_, c) => {
      const carrier = c.carriers[name];
      const expected = carrier !== undefined && "tsGets" in carrier ? carrier.tsGets : c.received;
      const encoded = fromPython[key(name, c.name)];
      expect(encoded).toBeDefined();
      if (carrier === undefined || expected === SKIP) {
        expect(encoded?.error, `Python's ${name} should refuse ${c.python}`).toBeDefined();
        return;
      }
      expect(encoded?.error).toBeUndefined();
      const value = serializer(name).loads(unb64(encoded!.data!));
      expect(difference(value, expected)).toBeNull();
    });
  });

  describe("pyrogen encodes, Python decodes", () => {
    const sendable = CORPUS.filter((c) => c.sent !== SKIP);
    it.each(sendable.map((c) => [c.name, c] as const))("%s", (_, c) => {
      if (pyExpectation(name, c) === null) {
        let thrown: unknown;
        try {
          serializer(name).dumps(c.sent);
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(PyroError);
        expect((thrown as PyroError).code).toBe("serialize");
        return;
      }
      expect(localErrors.get(key(name, c.name))).toBeUndefined();
      expect(verdicts[key(name, c.name)]).toBe("ok");
    });
  });

  describe("calls", () => {
    it.each(CORPUS_CALLS.map((c) => [c.name, c] as const))("%s both ways", (_, call) => {
      const label = key(name, `call ${call.name}`);
      expect(verdicts[label]).toBe("ok");
      const encoded = fromPython[label];
      expect(encoded?.error).toBeUndefined();
      const decoded = loadsCall(serializer(name), unb64(encoded!.data!));
      expect(decoded.objectId).toBe(call.objectId);
      expect(decoded.method).toBe(call.method);
      expect(difference(decoded.vargs, call.vargs)).toBeNull();
      expect(difference(decoded.kwargs, call.kwargs)).toBeNull();
    });
  });
});

it("no decoded payload touched Object.prototype", () => {
  expect(Object.prototype).not.toHaveProperty("polluted");
  expect(({} as Record<string, unknown>)["x"]).toBeUndefined();
});
