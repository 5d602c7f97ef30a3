/**
 * URI parsing, printing and class dicts, checked against Pyro4's own
 * `Pyro4.core.URI` where the two must agree.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PyroError } from "../../src/runtime/errors.js";
import { pyro4Dialect } from "../../src/runtime/protocol-pyro4/dialect.js";
import { URI } from "../../src/runtime/uri.js";
import { PyTuple } from "../../src/runtime/values.js";
import { runPython } from "../harness/python.js";

/** URI fields in Pyro4's state order, tags sorted so sets compare. */
function fields(uri: URI): unknown[] {
  return [
    uri.protocol,
    uri.tags ? [...uri.tags].sort() : uri.object,
    uri.sockname,
    uri.host,
    uri.port,
  ];
}

function uriError(text: string): PyroError {
  try {
    new URI(text);
  } catch (error) {
    expect(error).toBeInstanceOf(PyroError);
    return error as PyroError;
  }
  throw new Error(`'${text}' parsed without error`);
}

describe("parsing the forms verified against Pyro4", () => {
  it.each([
    ["PYRO:obj@[::1]:5555", ["PYRO", "obj", null, "::1", 5555], "PYRO:obj@[::1]:5555"],
    ["pyro:obj@host:1", ["PYRO", "obj", null, "host", 1], "PYRO:obj@host:1"],
    ["PYRONAME:name", ["PYRONAME", "name", null, null, null], "PYRONAME:name"],
    ["PYRONAME:x@[::1]", ["PYRONAME", "x", null, "::1", 9090], "PYRONAME:x@[::1]:9090"],
    ["PYRONAME:x@host", ["PYRONAME", "x", null, "host", 9090], "PYRONAME:x@host:9090"],
    ["PYRONAME:x@host:", ["PYRONAME", "x", null, "host", 9090], "PYRONAME:x@host:9090"],
    ["PYRO:obj@./u:/run/s", ["PYRO", "obj", "/run/s", null, null], "PYRO:obj@./u:/run/s"],
    ["PYRO:obj@./u:rel.sock", ["PYRO", "obj", "rel.sock", null, null], "PYRO:obj@./u:rel.sock"],
    [
      "PYRO:obj@./u:/tmp/with space",
      ["PYRO", "obj", "/tmp/with space", null, null],
      "PYRO:obj@./u:/tmp/with space",
    ],
    ["PYROMETA:a,b@host", ["PYROMETA", ["a", "b"], null, "host", 9090], "PYROMETA:a,b@host:9090"],
    ["PYROMETA:solo", ["PYROMETA", ["solo"], null, null, null], "PYROMETA:solo"],
    ["PYRO:a@b@c:1", ["PYRO", "a", null, "b@c", 1], "PYRO:a@b@c:1"],
    [
      "PyroName:Mixed.Case@10.0.0.1:7",
      ["PYRONAME", "Mixed.Case", null, "10.0.0.1", 7],
      "PYRONAME:Mixed.Case@10.0.0.1:7",
    ],
    ["PYRO:obj@[fe80::1%1]:5", ["PYRO", "obj", null, "fe80::1%1", 5], "PYRO:obj@[fe80::1%1]:5"],
  ])("%s", (text, state, printed) => {
    const uri = new URI(text);
    expect(fields(uri)).toEqual(state);
    expect(uri.toString()).toBe(printed);
    expect(new URI(uri.toString()).equals(uri)).toBe(true);
  });

  it("exposes the location and the PYROMETA tags as a set", () => {
    expect(new URI("PYRO:o@[::1]:5").location).toBe("[::1]:5");
    expect(new URI("PYRO:o@./u:/s").location).toBe("./u:/s");
    expect(new URI("PYRONAME:n").location).toBeNull();
    const meta = new URI("PYROMETA:x,y,x");
    expect(meta.tags).toEqual(new Set(["x", "y"]));
    expect(meta.object).toBe("x,y");
    expect(new URI("PYRO:o@h:1").tags).toBeNull();
  });

  it("takes the PYRONAME default port from the options (else NS_PORT)", () => {
    expect(new URI("PYRONAME:n@h", { nsPort: 1234 }).port).toBe(1234);
    expect(new URI("PYRONAME:n@h:77", { nsPort: 1234 }).port).toBe(77);
  });

  it("copies and compares", () => {
    const uri = new URI("PYRO:o@h:1");
    expect(new URI(uri).equals(uri)).toBe(true);
    expect(uri.equals(new URI("PYRO:o@h:2"))).toBe(false);
    expect(uri.equals(new URI("PYRONAME:o@h:1"))).toBe(false);
    expect(uri.equals("PYRO:o@h:1")).toBe(false);
    expect(new URI("PYROMETA:a,b").equals(new URI("PYROMETA:b,a"))).toBe(true);
    expect(new URI("PYROMETA:a,b").equals(new URI("PYROMETA:a"))).toBe(false);
    expect(Object.isFrozen(uri)).toBe(true);
    expect(JSON.stringify({ uri })).toBe('{"uri":"PYRO:o@h:1"}');
  });
});

describe("errors: what is wrong, and the accepted forms", () => {
  it.each([
    ["PYROX:a@b:1", /invalid uri \(protocol\): unknown protocol PYROX/],
    ["FOO:x", /must start with PYRO:, PYRONAME: or PYROMETA:/],
    ["PYRO:obj", /a PYRO uri needs a location/],
    ["PYRO:obj@host:port", /invalid port in uri, port=port/],
    ["PYRO:obj@host", /invalid port in uri, port=None/],
    ["PYRO:obj@[[::1]]:1", /enclosed in too many brackets/],
    ["PYRO:obj@[fe80::1%eth0]:1", /must be a numeric ipv6 address/],
    ["PYRO:obj@./u:", /invalid uri \(location\)/],
    ["PYRO:obj@./u:a:b", /invalid uri \(location\)/],
    ["PYRO:a b@h:1", /must not contain whitespace/],
    ["PYRO:", /the object part is empty/],
    ["PYRO:@", /the object part is empty/],
    ["PYRO:@h:1", /the object part is empty/],
    // stricter than Pyro4, which accepts these and fails later
    ["PYRO:o@h:+5", /invalid port in uri, port=\+5/],
    ["PYRO:o@h:99999", /invalid port in uri, port=99999/],
    ["PYRO:o@[::1]x", /must be a numeric ipv6 address/],
    ["PYRO:o@:5", /the host is empty/],
    ["PYRO:o@::1:5", /IPv6 address must be written in brackets/],
    ["PYROMETA:a,,b@h", /a PYROMETA tag is empty/],
  ])("%s", (text, problem) => {
    const error = uriError(text);
    expect(error.code).toBe("uri");
    expect(error.message).toContain(`invalid uri '${text}'`);
    expect(error.message).toMatch(problem);
    expect(error.message).toContain("accepted forms: PYRO:<objectid>@<host>:<port>");
    expect(error.message).toContain("PYROMETA:<tag>[,<tag>...][@<host>[:<port>]]");
  });

  it("rejects a non-string", () => {
    expect(() => new URI(42 as unknown as string)).toThrow(
      /a uri must be a string or a URI, not number/,
    );
  });
});

describe("agreement with Pyro4.core.URI", () => {
  const texts = [
    "PYRO:obj@[::1]:5555",
    "pyro:obj@host:1",
    "PYRONAME:name",
    "PYRONAME:x@[::1]",
    "PYRONAME:x@host:",
    "PYRO:obj@./u:/run/s",
    "PYROMETA:a,b@host",
    "PYRO:a@b@c:1",
    "PYRO:obj@[fe80::1%1]:5",
    "PYROX:a@b:1",
    "FOO:x",
    "PYRO:obj",
    "PYRO:obj@host:port",
    "PYRO:obj@host",
    "PYRO:obj@[[::1]]:1",
    "PYRO:obj@[fe80::1%eth0]:1",
    "PYRO:obj@./u:",
    "PYRO:a b@h:1",
  ];

  it("accepts and rejects the same strings, with the same state and string form", () => {
    const script = `
import json, sys, Pyro4
out = []
for text in json.load(sys.stdin):
    try:
        u = Pyro4.core.URI(text)
        obj = sorted(u.object) if isinstance(u.object, set) else u.object
        out.append({"state": [u.protocol, obj, u.sockname, u.host, u.port], "str": str(u) if u.protocol != "PYROMETA" else None})
    except Pyro4.errors.PyroError as e:
        out.append({"error": str(e)})
print(json.dumps(out))`;
    const python = JSON.parse(runPython(script, { input: JSON.stringify(texts) })) as Array<
      { state: unknown[]; str: string | null } | { error: string }
    >;
    texts.forEach((text, index) => {
      const expected = python[index];
      if (expected === undefined) throw new Error("missing Python answer");
      if ("error" in expected) {
        // Our message contains Pyro4's wording (plus what to do).
        expect(uriError(text).message, text).toContain(expected.error.replace(/ \(.*\)$/, ""));
      } else {
        const uri = new URI(text);
        expect(fields(uri), text).toEqual(expected.state);
        if (expected.str !== null) expect(uri.toString(), text).toBe(expected.str);
      }
    });
  });

  it("round-trips URI class dicts with Pyro4's json serializer both ways", () => {
    const registry = pyro4Dialect.createRegistry();
    const uris = [
      "PYRO:o@127.0.0.1:1234",
      "PYRONAME:some.name@h:9090",
      "PYROMETA:m1,m2",
      "PYRO:o@./u:/s",
      "PYRO:o@[::1]:5",
    ];
    // Our class dicts, made JSON-safe as the json serializer would (tuple/set → array).
    const ours = uris.map((text) => {
      const dict = registry.toSerializable(new URI(text), "json") as {
        __class__: string;
        state: PyTuple;
      };
      expect(dict.__class__).toBe("Pyro4.core.URI");
      expect(dict.state).toBeInstanceOf(PyTuple);
      return {
        ...dict,
        state: dict.state.items.map((item) => (item instanceof Set ? [...item] : item)),
      };
    });
    const script = `
import json, sys, Pyro4, Pyro4.util
ser = Pyro4.util.get_serializer("json")
ours = [ser.deserializeData(json.dumps(d).encode()) for d in json.load(sys.stdin)]
print(json.dumps({
    "parsed": [str(u) if u.protocol != "PYROMETA" else sorted(u.object) for u in ours],
    "theirs": [json.loads(ser.serializeData(u)[0]) for u in ours],
}))`;
    const answer = JSON.parse(runPython(script, { input: JSON.stringify(ours) })) as {
      parsed: unknown[];
      theirs: Record<string, unknown>[];
    };
    expect(answer.parsed).toEqual([uris[0], uris[1], ["m1", "m2"], uris[3], uris[4]]);
    answer.theirs.forEach((dict, index) => {
      const revived = registry.revive(dict);
      expect(revived).toBeInstanceOf(URI);
      expect((revived as URI).equals(new URI(uris[index] as string))).toBe(true);
    });
  });

  it("refuses a malformed state as a serialize error", () => {
    const registry = pyro4Dialect.createRegistry();
    for (const state of [
      null,
      ["PYRO", "o", null, "h"],
      ["PYROX", "o", null, "h", 1],
      ["PYRO", 5, null, "h", 1],
      ["PYRO", "o", null, "h", 1.5],
      ["PYRO", "o", null, "h", null],
      ["PYRO", "o", null, null, null],
      ["PYRO", "o", "/s", "h", 1],
      ["PYROMETA", [1], null, null, null],
    ]) {
      let error: unknown;
      try {
        registry.revive({ __class__: "Pyro4.core.URI", state });
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(state)).toBeInstanceOf(PyroError);
      expect((error as PyroError).code).toBe("serialize");
      expect((error as PyroError).message).toMatch(
        /^cannot deserialize a Pyro4\.core\.URI: invalid URI state/,
      );
    }
  });

  it("keeps object ids that would not survive a round trip through a string", () => {
    const uri = URI.fromState(["PYRO", "odd@id", null, "h", 1]);
    expect(uri.object).toBe("odd@id");
    expect(uri.state).toEqual(["PYRO", "odd@id", null, "h", 1]);
    expect(URI.fromState(["PYROMETA", new Set(["a", "b"]), null, null, null]).tags).toEqual(
      new Set(["a", "b"]),
    );
  });
});

describe("round trips (property)", () => {
  const name = fc.stringMatching(/^[A-Za-z0-9_.-]{1,20}$/);
  const host = fc.oneof(
    fc.stringMatching(/^[a-z][a-z0-9\-.]{0,20}$/),
    fc.ipV4(),
    fc.constantFrom("::1", "fe80::1", "2001:db8::42"),
  );
  const port = fc.integer({ min: 0, max: 65535 });

  it("PYRO host:port URIs print back and parse to the same URI", () => {
    fc.assert(
      fc.property(name, host, port, (object, h, p) => {
        const bracketed = h.includes(":") ? `[${h}]` : h;
        const text = `PYRO:${object}@${bracketed}:${p}`;
        const uri = new URI(text);
        expect([uri.object, uri.host, uri.port]).toEqual([object, h, p]);
        expect(uri.toString()).toBe(text);
        expect(URI.fromState(uri.state).equals(uri)).toBe(true);
      }),
    );
  });

  it("PYROMETA tag sets survive printing and the state", () => {
    fc.assert(
      fc.property(fc.uniqueArray(name, { minLength: 1, maxLength: 5 }), (tags) => {
        const uri = new URI(`PYROMETA:${tags.join(",")}`);
        expect(uri.tags).toEqual(new Set(tags));
        expect(new URI(uri.toString()).equals(uri)).toBe(true);
        expect(URI.fromState(uri.state).equals(uri)).toBe(true);
      }),
    );
  });
});

describe("URI.parse (remembered parses)", () => {
  it("gives the same instance for the same text and name-server port", () => {
    const a = URI.parse("PYRO:obj@127.0.0.1:5000", { nsPort: 9090 });
    expect(URI.parse("PYRO:obj@127.0.0.1:5000", { nsPort: 9090 })).toBe(a);
    expect(a.equals(new URI("PYRO:obj@127.0.0.1:5000"))).toBe(true);
    expect(Object.isFrozen(a)).toBe(true);
  });

  it("keeps name-server ports apart", () => {
    const a = URI.parse("PYRONAME:some.name@127.0.0.1", { nsPort: 9090 });
    const b = URI.parse("PYRONAME:some.name@127.0.0.1", { nsPort: 9999 });
    expect([a.port, b.port]).toEqual([9090, 9999]);
  });

  it("throws for an invalid uri every time", () => {
    for (let i = 0; i < 2; i++) {
      expect(() => URI.parse("PYRO:obj@host", { nsPort: 9090 })).toThrow(/invalid port/);
    }
  });
});
