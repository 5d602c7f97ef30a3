/**
 * What the CLI says when something is wrong, against real Pyro4 daemons and name servers:
 * each failure's exit code, its message, and a hint for that cause only — an unknown name,
 * a name server that refuses the serializer, an HMAC key the daemon does not have, a daemon
 * that checks handshake data, a listener that never answers (the default timeout), files
 * that cannot be read, and words that are commands rather than URIs.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PythonProcesses } from "../harness/python.js";
import { runCli, tempDir } from "./run-cli.js";

const python = new PythonProcesses();
let nsPort = 0;
let musicUri = "";
let guardedUri = "";
let silentUri = "";
let tmp: Awaited<ReturnType<typeof tempDir>>;

beforeAll(async () => {
  tmp = await tempDir();
  // A name server that accepts serpent only (Pyro4's default accepts json too).
  nsPort = (await python.startNameServer({ env: { PYRO_SERIALIZERS_ACCEPTED: "serpent" } })).port;
  const [music, objects, silent] = await Promise.all([
    python.startFixture<{ uri: string }>("musicserver/server.py"),
    python.startFixture<{ guardedUri: string }>("cli_objects_server.py"),
    python.startFixture<{ uri: string }>("silent_server.py"),
  ]);
  musicUri = music.info.uri;
  guardedUri = objects.info.guardedUri;
  silentUri = silent.info.uri;
});
afterAll(async () => {
  await python.stopAll();
  await tmp.remove();
});

const ns = () => ["--ns-host", "127.0.0.1", "--ns-port", String(nsPort), "--no-broadcast"];

describe("hints", { timeout: 90_000 }, () => {
  it("for a name the name server does not have: pyrogen ns list, pointed at that server", async () => {
    const r = await runCli([`PYRONAME:no.such.name@127.0.0.1:${nsPort}`]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("unknown name: no.such.name");
    expect(r.stderr).toContain(
      `hint: the name server has no such name; see the names it has with: pyrogen ns list --ns-host 127.0.0.1 --ns-port ${nsPort}`,
    );
    expect(r.stderr).not.toContain("--broadcast-addrs");
  });

  it("for a name server that refuses the serializer: say so, not 'start one'", async () => {
    for (const args of [
      ["PYRONAME:example.anything", ...ns(), "--serializer", "json"],
      ["ns", "list", ...ns(), "--serializer", "json"],
    ]) {
      const r = await runCli(args);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain("the daemon does not accept the json serializer");
      expect(r.stderr).toContain(
        "hint: a name server answered but refused the connection: choose a serializer it accepts with --serializer",
      );
      expect(r.stderr).not.toMatch(/start one/i);
    }
  });

  it("for --hmac-key against a daemon without a key: the daemon has none", async () => {
    const r = await runCli([musicUri, "--hmac-key", "secret"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("hint: the daemon has no HMAC key: leave out --hmac-key");
    expect(r.stderr).not.toContain("pass the daemon's HMAC key");
  });

  it("for a listener that never answers: the default timeout ends the wait", async () => {
    const r = await runCli([silentUri]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/timeout \(no reply [^)]*10000 ms/);
    expect(r.stderr).toContain("hint: nothing answered within 10 s (pyrogen's default)");
    expect(r.stderr).toContain("--timeout <ms>");
  });

  it("for a listener that never answers within --timeout or PYRO_COMMTIMEOUT: no --timeout advice", async () => {
    const given = await runCli([silentUri, "--timeout", "700"]);
    expect(given.code).toBe(3);
    expect(given.stderr).toMatch(/timeout \(no reply [^)]*700 ms/);
    expect(given.stderr).toContain("hint: nothing answered within the 700 ms allowed");
    expect(given.stderr).not.toContain("--timeout");
    const fromEnv = await runCli([silentUri], { env: { PYRO_COMMTIMEOUT: "0.5" } });
    expect(fromEnv.code).toBe(3);
    expect(fromEnv.stderr).toMatch(/timeout \(no reply [^)]*500 ms/);
  });
});

describe("handshake data (--handshake, config field handshake)", { timeout: 90_000 }, () => {
  it("without it, a checking daemon's refusal names the flag, not a 'handshake option'", async () => {
    const r = await runCli([guardedUri]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("wrong handshake data, connection refused");
    expect(r.stderr).toContain("send what it expects with --handshake '<json>'");
    expect(r.stderr).not.toContain("handshake option");
  });

  it("with the right JSON value, generates; with another, says the data was refused", async () => {
    const good = await runCli([guardedUri, "--handshake", '{"user": "ci", "token": "pancakes"}']);
    expect(good.code).toBe(0);
    expect(good.stdout).toContain("export function connectGuarded(");
    const bad = await runCli([guardedUri, "--handshake", '"pancakes"']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain(`refused the handshake data "pancakes" given with --handshake`);
  });

  it("from a config file's defaults or target", async () => {
    const config = path.join(tmp.dir, "guarded.config.json");
    await writeFile(
      config,
      JSON.stringify({
        defaults: { handshake: { user: "ci", token: "pancakes" } },
        targets: [{ uri: guardedUri, out: "guarded.ts" }],
      }),
    );
    const r = await runCli(["--config", config, "-q"]);
    expect(r.code).toBe(0);
    // Only the warning that the daemon's port is random.
    expect(r.stderr.split("\n").filter((line) => line !== "" && !line.includes("warning"))).toEqual(
      [],
    );
    expect(await readFile(path.join(tmp.dir, "guarded.ts"), "utf8")).toContain("connectGuarded");
  });

  it("refuses a value that is not JSON, saying where", async () => {
    const r = await runCli([guardedUri, "--handshake", "{user: ci}"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("must be JSON (at column 2: expected a property name");
  });
});

describe("commands and exit codes", { timeout: 90_000 }, () => {
  it("`pyrogen help [command]` prints the help", async () => {
    const all = await runCli(["help"]);
    expect(all).toMatchObject({ code: 0, stderr: "" });
    expect(all.stdout).toContain("Usage: pyrogen [options] [command] [uri...]");
    const inspect = await runCli(["help", "inspect"]);
    expect(inspect.code).toBe(0);
    expect(inspect.stdout).toContain("Usage: pyrogen inspect");
  });

  it("a mistyped command is an unknown command with a suggestion, not an invalid URI", async () => {
    const typo = await runCli(["inspekt", musicUri]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("unknown command 'inspekt' (did you mean 'inspect'?)");
    expect(typo.stderr).not.toContain("invalid URI");
    const other = await runCli(["generate", musicUri]);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain("unknown command 'generate': the commands are inspect");
  });

  it("a config file that cannot be read is a file error (4), saying why", async () => {
    const r = await runCli(["--config", path.join(tmp.dir, "missing.json")]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("cannot read config file");
    expect(r.stderr).toContain("(path from --config): no such file or folder (ENOENT)");
  });

  it("a TLS file that cannot be read is a file error (4), before connecting", async () => {
    const missing = path.join(tmp.dir, "missing-ca.pem");
    for (const args of [
      [musicUri, "--tls", "--tls-ca", missing],
      ["inspect", musicUri, "--tls", "--tls-ca", missing],
    ]) {
      const r = await runCli(args);
      expect(r.code).toBe(4);
      expect(r.stderr).toContain(
        `cannot read the TLS CA certificates ${missing} (from --tls-ca, config field tlsCa or PYRO_SSL_CACERTS): no such file or folder (ENOENT)`,
      );
    }
  });
});
