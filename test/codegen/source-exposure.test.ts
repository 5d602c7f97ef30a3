/**
 * Names from the source alone: for every fixture server (and Pyro4's own name server and
 * daemon object, read from Debian's Pyro4 package), the methods, oneway marks and
 * attributes pyrogen computes from the Python source by Pyro4's rules equal what the live
 * daemon's `get_metadata` reports.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchMetadata } from "../../src/cli/fetch-metadata.js";
import { normalizeMetadata, type RemoteMetadata } from "../../src/codegen/metadata.js";
import { PyroProxy } from "../../src/runtime/proxy.js";
import { URI } from "../../src/runtime/uri.js";
import { readSourceTypes } from "../../src/codegen/source/source-types.js";
import { FIXTURES, ROOT, findPython, freePort, PythonProcesses } from "../harness/python.js";
import { pyro5Path } from "../harness/generations.js";

const python = new PythonProcesses();
afterAll(() => python.stopAll());

/** What pyrogen computes from `source` for `className`, names only. */
async function fromSource(source: string, className: string): Promise<RemoteMetadata> {
  const types = await readSourceTypes(
    {
      entries: [source],
      className,
      serializer: "serpent",
      infer: false,
      validate: false,
      classOverrides: {},
      metadata: undefined,
    },
    (name) => name,
  );
  return types.main.metadata;
}

async function live(uri: string): Promise<RemoteMetadata> {
  return fetchMetadata(uri, {});
}

interface Case {
  /** The script under fixtures/ that serves the object. */
  readonly script: string;
  /** The class's name in the source. */
  readonly className: string;
  /** The object's URI from the script's READY line. */
  readonly uri: (info: Record<string, unknown>) => string;
  readonly source?: string;
}

const CASES: readonly Case[] = [
  { script: "musicserver/server.py", className: "MusicServer", uri: (i) => i["uri"] as string },
  {
    script: "codegen/music-annotated/server.py",
    className: "MusicServer",
    uri: (i) => i["uri"] as string,
  },
  {
    script: "codegen/music-docstrings/server.py",
    className: "MusicServer",
    uri: (i) => i["uri"] as string,
  },
  { script: "codegen/zoo/server.py", className: "Zoo", uri: (i) => i["uri"] as string },
  { script: "advanced_server.py", className: "Advanced", uri: (i) => i["uri"] as string },
  { script: "bench_server.py", className: "Bench", uri: (i) => i["uri"] as string },
  { script: "callback_server.py", className: "Server", uri: (i) => i["uri"] as string },
  { script: "protocol_server.py", className: "ProtocolTest", uri: (i) => i["uri"] as string },
  { script: "proxy_server.py", className: "Lab", uri: (i) => i["uri"] as string },
  { script: "transport_server.py", className: "Echo", uri: (i) => i["uri"] as string },
  ...["Base", "Derived", "Mixed", "Properties"].map((className): Case => ({
    script: "exposure_server.py",
    className,
    uri: (i) => (i["uris"] as Record<string, string>)[className]!,
  })),
];

describe("exposed names from the source equal the live daemon's get_metadata", () => {
  const started = new Map<string, Promise<Record<string, unknown>>>();
  const info = (script: string): Promise<Record<string, unknown>> => {
    let pending = started.get(script);
    if (pending === undefined) {
      pending = python.startFixture(script).then((s) => s.info);
      started.set(script, pending);
    }
    return pending;
  };

  it.each(CASES)("$script: $className", { timeout: 60_000 }, async (c) => {
    const uri = c.uri(await info(c.script));
    const offline = await fromSource(path.join(FIXTURES, c.source ?? c.script), c.className);
    expect(offline).toEqual(await live(uri));
    // A non-trivial comparison: every case exposes something.
    expect(offline.methods.length + offline.attrs.length).toBeGreaterThan(0);
  });

  it("an object whose class exposes nothing: empty both ways", async () => {
    const { info: lab } = await python.startFixture<{ empty: string }>("proxy_server.py");
    // A proxy refuses such an object (as Pyro4's does): ask the daemon object directly.
    const empty = URI.parse(lab.empty);
    const daemon = new PyroProxy(`PYRO:Pyro.Daemon@${empty.host}:${empty.port}`);
    try {
      const reported = normalizeMetadata(await daemon.$call("get_metadata", [empty.object, true]));
      expect(await fromSource(path.join(FIXTURES, "proxy_server.py"), "Hidden")).toEqual(reported);
      expect(reported).toEqual({ methods: [], oneway: [], attrs: [] });
    } finally {
      daemon.$release();
    }
  });
});

describe("Pyro4's own objects, read from Debian's Pyro4 package", () => {
  let nsPort = 0;
  let pyro4Dir = "";
  beforeAll(async () => {
    nsPort = (await python.startNameServer()).port;
    pyro4Dir = path.dirname(
      execFileSync(findPython(), ["-c", "import Pyro4; print(Pyro4.__file__)"], {
        encoding: "utf8",
      }).trim(),
    );
  });

  it("the name server (Pyro4.naming.NameServer)", async () => {
    const uri = `PYRO:Pyro.NameServer@127.0.0.1:${nsPort}`;
    const offline = await fromSource(pyro4Dir, "Pyro4.naming.NameServer");
    expect(offline).toEqual(await live(uri));
    expect(offline.methods).toContain("lookup");
  });

  it("a daemon's own object (Pyro4.core.DaemonObject)", async () => {
    const uri = `PYRO:Pyro.Daemon@127.0.0.1:${nsPort}`;
    const offline = await fromSource(pyro4Dir, "DaemonObject");
    expect(offline).toEqual(await live(uri));
    expect(offline.methods).toContain("get_metadata");
  });
});

describe("Pyro5's decorators: source against live Pyro5 5.16 daemons", () => {
  let nsPort = 0;
  let labUri = "";
  const pyro5Dir = (): string => path.join(pyro5Path(), "Pyro5");
  const labSource = path.join(ROOT, "test/vectors/pyro5-5.16/server/lab_server.py");
  beforeAll(async () => {
    nsPort = (await python.startNameServer({ generation: 5 })).port;
    const port = await freePort();
    const lab = await python.start([labSource, "--port", String(port)], {
      ready: { line: /^READY (\S+)/ },
      generation: 5,
    });
    labUri = lab.readyMatch![1]!;
  });

  it("a server written with Pyro5.api's expose and oneway (the capture lab)", async () => {
    const offline = await fromSource(labSource, "Lab");
    expect(offline).toEqual(await live(labUri));
    expect(offline.oneway).toEqual(["fire"]);
    expect(offline.attrs).toContain("value");
  });

  it("the name server (Pyro5.nameserver.NameServer)", async () => {
    const offline = await fromSource(pyro5Dir(), "Pyro5.nameserver.NameServer");
    expect(offline).toEqual(await live(`PYRO:Pyro.NameServer@127.0.0.1:${nsPort}`));
    expect(offline.methods).toContain("yplookup");
  });

  it("a daemon's own object (Pyro5.server.DaemonObject)", async () => {
    const offline = await fromSource(pyro5Dir(), "DaemonObject");
    expect(offline).toEqual(await live(`PYRO:Pyro.Daemon@127.0.0.1:${nsPort}`));
    expect(offline.methods).toContain("get_metadata");
  });
});
