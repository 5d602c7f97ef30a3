/**
 * openStream against real Pyro4 4.82 daemons: IPv4, IPv6, a Unix socket, TLS one- and
 * two-way; each stream proves it reaches Pyro with a hand-built CONNECT/CONNECTOK.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PyroConfig } from "../../src/runtime/config.js";
import { PyroError } from "../../src/runtime/errors.js";
import { pyro4Frames } from "../../src/runtime/protocol-pyro4/frames.js";
import { pyro4 } from "../../src/runtime/protocol-pyro4/index.js";
import { MessageChannel } from "../../src/runtime/protocol/channel.js";
import { createSerializer } from "../../src/runtime/serializers/index.js";
import {
  DirectReads,
  directReadsOf,
  type ReadTarget,
} from "../../src/runtime/transport/direct-reads.js";
import { openDirectStream, openStream } from "../../src/runtime/transport/open-stream.js";
import { connectionLostError } from "../../src/runtime/transport/socket-errors.js";
import { URI } from "../../src/runtime/uri.js";
import {
  CLIENT_CN,
  CLIENT_KEY_PASSPHRASE,
  createTestCerts,
  type TestCerts,
} from "../harness/certs.js";
import { freePort, PythonProcesses } from "../harness/python.js";
import { CONNECTOK, rawConnect, readRaw } from "../harness/raw-pyro.js";
import { keepaliveThenSet } from "../harness/tcp-timers.js";
import { waitFor } from "../harness/wait.js";

interface ServerInfo {
  uri: string;
  location: string;
  port: number | null;
}

const python = new PythonProcesses();
const scratch = mkdtempSync(path.join(tmpdir(), "pyrogen-transport-"));
let certs: TestCerts;

beforeAll(() => {
  certs = createTestCerts();
});

afterAll(async () => {
  await python.stopAll();
  certs?.remove();
  rmSync(scratch, { recursive: true, force: true });
});

async function startDaemon(args: string[], env: Record<string, string> = {}): Promise<ServerInfo> {
  const { info } = await python.startFixture<ServerInfo>("transport_server.py", args, { env });
  return info;
}

/** Run the CONNECT handshake; return what the daemon saw (`peer` = client cert CN). */
async function handshake(stream: Socket): Promise<{ peer: unknown; methods: unknown }> {
  try {
    const reply = await rawConnect(stream, "transport.echo");
    expect(reply.type, `CONNECTOK expected, got ${JSON.stringify(reply.payload)}`).toBe(CONNECTOK);
    const payload = reply.payload as {
      handshake: { handshake: unknown; peer: unknown };
      meta: { methods: unknown };
    };
    expect(payload.handshake.handshake).toBe("hello");
    return { peer: payload.handshake.peer, methods: payload.meta.methods };
  } finally {
    stream.destroy();
  }
}

async function expectPyroError(
  promise: Promise<unknown>,
  code: string,
  message: RegExp,
): Promise<PyroError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PyroError);
  const pyroError = error as PyroError;
  expect(pyroError.code, pyroError.message).toBe(code);
  expect(pyroError.message).toMatch(message);
  return pyroError;
}

const plain = new PyroConfig({ SSL: false });

let ipv4: ServerInfo;
beforeAll(async () => {
  ipv4 = await startDaemon(["--host", "127.0.0.1"]);
});

describe("plain TCP and Unix sockets", () => {
  it("reaches a daemon over IPv4", async () => {
    const stream = await openStream(ipv4.uri, { config: plain });
    expect(stream.remoteFamily).toBe("IPv4");
    expect(stream.remoteAddress).toBe("127.0.0.1");
    expect(await handshake(stream)).toEqual({ peer: null, methods: ["echo"] });
  });

  it("resolves a host name with PREFER_IP_VERSION 4", async () => {
    const uri = `PYRO:transport.echo@localhost:${String(ipv4.port)}`;
    const stream = await openStream(new URI(uri), {
      config: new PyroConfig({ PREFER_IP_VERSION: 4 }),
    });
    expect(stream.remoteAddress).toBe("127.0.0.1");
    expect((await handshake(stream)).methods).toEqual(["echo"]);
  });

  it("reaches a daemon over IPv6 (::1)", async () => {
    const info = await startDaemon(["--host", "::1"]);
    expect(info.uri).toMatch(/^PYRO:transport\.echo@\[::1\]:\d+$/);
    const stream = await openStream(info.uri, { config: plain });
    expect(stream.remoteFamily).toBe("IPv6");
    expect(stream.remoteAddress).toBe("::1");
    expect((await handshake(stream)).methods).toEqual(["echo"]);
  });

  it("sets no keepalive on a loopback connection (the kernel reports a vanished local peer)", async () => {
    const stream = await openStream(ipv4.uri, { config: plain });
    try {
      expect(keepaliveThenSet(stream)).toEqual([false, true]);
    } finally {
      stream.destroy();
    }
  });

  it("reaches a daemon on a Unix domain socket", async () => {
    const socketPath = path.join(scratch, "daemon.sock");
    const info = await startDaemon(["--unix", socketPath]);
    expect(info.uri).toBe(`PYRO:transport.echo@./u:${socketPath}`);
    const stream = await openStream(info.uri, { config: plain });
    expect((await handshake(stream)).methods).toEqual(["echo"]);
  });

  it("reports a refused connection as a communication error naming the location", async () => {
    const port = await freePort();
    await expectPyroError(
      openStream(`PYRO:x@127.0.0.1:${String(port)}`, { config: plain }),
      "communication",
      new RegExp(
        `^cannot connect to 127\\.0\\.0\\.1:${String(port)}: .*ECONNREFUSED.*is a Pyro daemon listening`,
      ),
    );
  });

  it("reports a missing Unix socket", async () => {
    const missing = path.join(scratch, "missing.sock");
    await expectPyroError(
      openStream(`PYRO:x@./u:${missing}`, { config: plain }),
      "communication",
      /^cannot connect to \.\/u:.*missing\.sock: .*ENOENT/,
    );
  });

  it("refuses PYRONAME and PYROMETA uris (they need the name server first)", async () => {
    await expectPyroError(
      openStream("PYRONAME:some.name@127.0.0.1"),
      "uri",
      /resolve PYRONAME\/PYROMETA/,
    );
  });
});

describe("direct reads (pyrogen's own connections)", () => {
  /** A MessageReader-like target that records every read and whether it used its buffer. */
  function recorder() {
    const reads: { own: boolean; text: string }[] = [];
    let handed: Uint8Array | undefined;
    const target: ReadTarget = {
      readBuffer: () => (handed = Buffer.alloc(8)),
      received: (buffer, count) => {
        const own = buffer === handed;
        reads.push({ own, text: Buffer.from(buffer.subarray(0, count)).toString() });
      },
    };
    const text = (): string => reads.map((r) => r.text).join("");
    return { reads, target, text };
  }

  it("takes a Pyro4 daemon's replies on TCP and Unix sockets, without data events", async () => {
    const socketPath = path.join(scratch, "direct.sock");
    const unix = await startDaemon(["--unix", socketPath]);
    for (const uri of [ipv4.uri, unix.uri]) {
      const stream = await openDirectStream(uri, { config: plain });
      const reads = directReadsOf(stream)!;
      expect(reads).toBeInstanceOf(DirectReads);
      stream.on("data", () => expect.fail("a direct stream must not emit data events"));
      const channel = new MessageChannel(stream, pyro4Frames, { directReads: reads });
      const reply = await channel.request(
        pyro4.handshake.request({
          serializer: createSerializer("json"),
          seq: 0,
          handshake: "hello",
          objectId: "transport.echo",
          target: "transport.echo",
          annotations: new Map(),
          correlationId: undefined,
        }),
      );
      expect(reply.type).toBe(CONNECTOK);
      channel.close();
    }
  });

  it("hands bytes that came before a target was bound over first, in order", async () => {
    const server = createServer((socket) => socket.end("early bytes, then more"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as { port: number };
      const stream = await openDirectStream(`PYRO:x@127.0.0.1:${String(port)}`, {
        config: plain,
      });
      await new Promise((resolve) => stream.once("end", resolve));
      const { target, text } = recorder();
      directReadsOf(stream)!.bind(target);
      expect(text()).toBe("early bytes, then more");
      stream.destroy();
    } finally {
      server.close();
    }
  });

  it("keeps each socket's early bytes apart, though all unbound sockets read into one buffer", async () => {
    let served = 0;
    const texts = ["first socket's early bytes", "SECOND"];
    const server = createServer((socket) => socket.end(texts[served++]!));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as { port: number };
      const streams: Socket[] = [];
      for (let i = 0; i < texts.length; i++) {
        const stream = await openDirectStream(`PYRO:x@127.0.0.1:${String(port)}`, {
          config: plain,
        });
        await new Promise((resolve) => stream.once("end", resolve));
        streams.push(stream);
      }
      const read = streams.map((stream) => {
        const { target, text } = recorder();
        directReadsOf(stream)!.bind(target);
        stream.destroy();
        return text();
      });
      expect(read).toEqual(texts);
    } finally {
      server.close();
    }
  });

  it("reads into the target's buffers once bound, and drops bytes after bind(null)", async () => {
    let peer: Socket | undefined;
    const server = createServer((socket) => (peer = socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as { port: number };
      const stream = await openDirectStream(`PYRO:x@127.0.0.1:${String(port)}`, {
        config: plain,
      });
      const { reads, target, text } = recorder();
      directReadsOf(stream)!.bind(target);
      await waitFor(async () => peer !== undefined);
      // The socket holds the buffer it got before binding: the first read lands there.
      peer!.write("0123456789abcdef");
      await waitFor(async () => text().length === 16);
      peer!.write("ghijklmnopqrstuv");
      await waitFor(async () => text().length === 32);
      expect(text()).toBe("0123456789abcdefghijklmnopqrstuv");
      expect(reads.map((r) => r.own)).toEqual([false, true, true]);
      directReadsOf(stream)!.bind(null);
      peer!.end("ignored");
      await new Promise((resolve) => stream.once("end", resolve));
      expect(text()).toBe("0123456789abcdefghijklmnopqrstuv");
      expect(directReadsOf(await openStream(`PYRO:x@127.0.0.1:${String(port)}`))).toBe(undefined);
      stream.destroy();
    } finally {
      peer?.destroy();
      server.close();
    }
  });
});

describe("connect timeout and abort", () => {
  let silent: Server;
  let silentPort: number;
  const held: Socket[] = [];

  beforeAll(async () => {
    // Accepts and never answers, so a TLS handshake can never complete.
    silent = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    silentPort = (silent.address() as { port: number }).port;
  });

  afterAll(async () => {
    for (const socket of held) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it("gives up after the connect timeout (COMMTIMEOUT)", async () => {
    const cfg = new PyroConfig({ SSL: true, COMMTIMEOUT: 0.3 });
    await expectPyroError(
      openStream(`PYRO:x@127.0.0.1:${String(silentPort)}`, { config: cfg }),
      "communication",
      /^cannot connect to 127\.0\.0\.1:\d+: timed out after 300 ms/,
    );
  });

  it("stops when the signal aborts", async () => {
    const controller = new AbortController();
    const opening = openStream(`PYRO:x@127.0.0.1:${String(silentPort)}`, {
      tls: { ca: readFileSync(certs.caCert, "utf8") },
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    await expectPyroError(opening, "aborted", /connecting to 127\.0\.0\.1:\d+ was aborted/);
  });

  it("does not connect at all with an already aborted signal", async () => {
    await expectPyroError(
      openStream(`PYRO:x@127.0.0.1:${String(silentPort)}`, {
        config: plain,
        signal: AbortSignal.abort(),
      }),
      "aborted",
      /was aborted/,
    );
  });
});

describe("TLS", () => {
  let oneWay: ServerInfo;
  let twoWay: ServerInfo;
  let plainDaemon: ServerInfo;

  beforeAll(async () => {
    [oneWay, twoWay, plainDaemon] = await Promise.all([
      startDaemon(["--host", "127.0.0.1"], certs.daemonEnv(false)),
      startDaemon(["--host", "127.0.0.1"], certs.daemonEnv(true)),
      startDaemon(["--host", "127.0.0.1"]),
    ]);
  });

  const viaLocalhost = (info: ServerInfo): string =>
    `PYRO:transport.echo@localhost:${String(info.port)}`;

  it("one-way: verifies the daemon against SSL_CACERTS, by host name and by IP", async () => {
    const cfg = new PyroConfig({ SSL: true, SSL_CACERTS: certs.caCert });
    const byName = await openStream(viaLocalhost(oneWay), { config: cfg });
    expect(byName.constructor.name).toBe("TLSSocket");
    expect(await handshake(byName)).toEqual({ peer: null, methods: ["echo"] });
    const byIp = await openStream(oneWay.uri, { config: cfg });
    expect((await handshake(byIp)).methods).toEqual(["echo"]);
  });

  it("one-way over IPv6: verifies the IP address ::1 against the certificate", async () => {
    const info = await startDaemon(["--host", "::1"], certs.daemonEnv(false));
    const stream = await openStream(info.uri, {
      config: new PyroConfig({ SSL: true, SSL_CACERTS: certs.caCert }),
    });
    expect(stream.remoteFamily).toBe("IPv6");
    expect((await handshake(stream)).methods).toEqual(["echo"]);
  });

  it("one-way: takes the CA from the tls option, and a CA directory from the config", async () => {
    const fromOption = await openStream(oneWay.uri, {
      config: plain,
      tls: { ca: readFileSync(certs.caCert) },
    });
    expect((await handshake(fromOption)).methods).toEqual(["echo"]);
    const fromDir = await openStream(oneWay.uri, {
      config: new PyroConfig({ SSL: true, SSL_CACERTS: certs.dir }),
    });
    expect((await handshake(fromDir)).methods).toEqual(["echo"]);
  });

  it("two-way: presents the client certificate from the config", async () => {
    const cfg = new PyroConfig({
      SSL: true,
      SSL_CACERTS: certs.caCert,
      SSL_CLIENTCERT: certs.clientCert,
      SSL_CLIENTKEY: certs.clientKey,
    });
    const stream = await openStream(viaLocalhost(twoWay), { config: cfg });
    expect(await handshake(stream)).toEqual({ peer: CLIENT_CN, methods: ["echo"] });
  });

  it("two-way: decrypts a client key with SSL_CLIENTKEYPASSWD", async () => {
    const cfg = new PyroConfig({
      SSL: true,
      SSL_CACERTS: certs.caCert,
      SSL_CLIENTCERT: certs.clientCert,
      SSL_CLIENTKEY: certs.clientKeyEncrypted,
      SSL_CLIENTKEYPASSWD: CLIENT_KEY_PASSPHRASE,
    });
    const stream = await openStream(twoWay.uri, { config: cfg });
    expect((await handshake(stream)).peer).toBe(CLIENT_CN);
  });

  it("fails verification without the CA, naming the fix", async () => {
    await expectPyroError(
      openStream(oneWay.uri, { config: new PyroConfig({ SSL: true }) }),
      "communication",
      /^cannot connect to 127\.0\.0\.1:\d+: .*certificate.*; trust the CA .*SSL_CACERTS/,
    );
    await expectPyroError(
      openStream(viaLocalhost(twoWay), {
        config: new PyroConfig({ SSL: true, SSL_CACERTS: certs.otherCaCert }),
      }),
      "communication",
      /^cannot connect to localhost:\d+: .*certificate.*SSL_CACERTS/,
    );
  });

  it("a two-way daemon refuses a client without certificate: a clear connection-closed error", async () => {
    const cfg = new PyroConfig({ SSL: true, SSL_CACERTS: certs.caCert });
    // TLS 1.3 completes the client's side of the handshake first; the refusal follows. Nothing
    // is written, so the daemon closes cleanly and the alert is not lost to a reset.
    const stream = await openStream(twoWay.uri, { config: cfg });
    const failure = await readRaw(stream).then(
      (reply) => new Error(`unexpected reply ${JSON.stringify(reply)}`),
      (error: unknown) => connectionLostError("receiving", error),
    );
    stream.destroy();
    expect(failure).toBeInstanceOf(PyroError);
    expect((failure as PyroError).code).toBe("connection-closed");
    expect(failure.message).toMatch(
      /^receiving: connection lost: .*client certificate.*SSL_CLIENTCERT/,
    );
  });

  it("a TLS client to a plain daemon fails in the handshake", async () => {
    await expectPyroError(
      openStream(plainDaemon.uri, {
        config: new PyroConfig({ SSL: true, SSL_CACERTS: certs.caCert }),
      }),
      "communication",
      // The daemon answers the ClientHello with a CONNECTFAIL or a reset: either way, TLS is named.
      /^cannot connect to 127\.0\.0\.1:\d+: .*TLS/,
    );
  });

  it("reports an unreadable SSL_CACERTS as a config error", async () => {
    const missing = path.join(scratch, "no-such-ca.pem");
    await expectPyroError(
      openStream(oneWay.uri, { config: new PyroConfig({ SSL: true, SSL_CACERTS: missing }) }),
      "config",
      /cannot read SSL_CACERTS '.*no-such-ca\.pem'/,
    );
  });
});
