/**
 * createListener: real Pyro4 4.82 proxies connect to it (TCP v4/v6, Unix socket, TLS 2-way)
 * and bind, answered by a hand-built CONNECTOK.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PyroConfig } from "../../src/runtime/config.js";
import { PyroError } from "../../src/runtime/errors.js";
import { createListener, type Listener } from "../../src/runtime/transport/listener.js";
import { openStream } from "../../src/runtime/transport/open-stream.js";
import { CLIENT_CN, createTestCerts, type TestCerts } from "../harness/certs.js";
import { PythonProcesses } from "../harness/python.js";
import { keepaliveThenSet } from "../harness/tcp-timers.js";
import {
  CONNECT,
  CONNECTOK,
  encodeRaw,
  JSON_ID,
  META_ON_CONNECT,
  readRaw,
} from "../harness/raw-pyro.js";

const python = new PythonProcesses();
const scratch = mkdtempSync(path.join(tmpdir(), "pyrogen-listener-"));
const listeners: Listener[] = [];
let certs: TestCerts;

beforeAll(() => {
  certs = createTestCerts();
});

afterAll(async () => {
  await python.stopAll();
  await Promise.all(listeners.map((listener) => listener.close()));
  certs?.remove();
  rmSync(scratch, { recursive: true, force: true });
});

/** Answer one CONNECT with a CONNECTOK that exposes `ping`; remember what was seen. */
function fakeDaemon(seen: { peer?: unknown; type?: number }) {
  return (socket: Socket): void => {
    socket.on("error", () => undefined);
    void readRaw(socket).then((request) => {
      seen.type = request.type;
      const tlsSocket = socket as TLSSocket;
      if (typeof tlsSocket.getPeerCertificate === "function") {
        seen.peer = tlsSocket.getPeerCertificate().subject?.CN;
      }
      const reply = { handshake: "hello", meta: { methods: ["ping"], oneway: [], attrs: [] } };
      socket.write(
        encodeRaw({
          type: CONNECTOK,
          flags: request.flags & META_ON_CONNECT,
          seq: request.seq,
          serializerId: JSON_ID,
          data: Buffer.from(JSON.stringify(reply)),
        }),
      );
    });
  };
}

async function listen(...args: Parameters<typeof createListener>): Promise<Listener> {
  const listener = await createListener(...args);
  listeners.push(listener);
  return listener;
}

const BIND_SCRIPT = `
import sys, Pyro4
try:
    proxy = Pyro4.Proxy(sys.argv[1])
    proxy._pyroBind()
    print("BOUND " + ",".join(sorted(proxy._pyroMethods)), flush=True)
    proxy._pyroRelease()
except Exception as error:
    print("ERROR %s: %s" % (type(error).__name__, error), flush=True)
`;

/** Let a Python Pyro4 proxy bind to `uri`; returns `BOUND <methods>` or `ERROR <type>: <text>`. */
async function pythonBind(uri: string, env: Record<string, string> = {}): Promise<string> {
  const proc = await python.start(["-c", BIND_SCRIPT, uri], {
    ready: { line: /^(BOUND|ERROR) .*$/ },
    env: { PYRO_SERIALIZER: "json", ...env },
  });
  return proc.readyMatch?.[0] ?? "";
}

const plain = new PyroConfig({ SSL: false });

describe("plain listeners", () => {
  it("accepts a Pyro4 proxy over IPv4", async () => {
    const seen: { type?: number } = {};
    const listener = await listen({ host: "127.0.0.1", config: plain }, fakeDaemon(seen));
    expect(listener.location).toBe(`127.0.0.1:${String(listener.port)}`);
    expect(await pythonBind(`PYRO:obj@${listener.location}`)).toBe("BOUND ping");
    expect(seen.type).toBe(CONNECT);
  });

  it("sets no keepalive on connections to a loopback address", async () => {
    let accepted: (socket: Socket) => void = () => undefined;
    const connection = new Promise<Socket>((resolve) => (accepted = resolve));
    const listener = await listen({ host: "127.0.0.1", config: plain }, (socket) =>
      accepted(socket),
    );
    const client = await openStream(`PYRO:obj@${listener.location}`, { config: plain });
    const socket = await connection;
    try {
      expect(keepaliveThenSet(socket)).toEqual([false, true]);
    } finally {
      client.destroy();
      socket.destroy();
    }
  });

  it("accepts a Pyro4 proxy over IPv6", async () => {
    const listener = await listen({ host: "::1", config: plain }, fakeDaemon({}));
    expect(listener.location).toMatch(/^\[::1\]:\d+$/);
    expect(await pythonBind(`PYRO:obj@${listener.location}`)).toBe("BOUND ping");
  });

  it("accepts a Pyro4 proxy on a Unix socket", async () => {
    const unixPath = path.join(scratch, "listener.sock");
    const listener = await listen({ unixPath, config: plain }, fakeDaemon({}));
    expect([listener.location, listener.host, listener.port]).toEqual([
      `./u:${unixPath}`,
      null,
      null,
    ]);
    expect(await pythonBind(`PYRO:obj@${listener.location}`)).toBe("BOUND ping");
  });

  it("binds a host name as PREFER_IP_VERSION says and keeps the name in the location", async () => {
    const listener = await listen({ host: "localhost", config: plain }, fakeDaemon({}));
    expect(listener.location).toBe(`localhost:${String(listener.port)}`);
    expect((listener.server.address() as { address: string }).address).toBe("127.0.0.1");
  });

  it("reports an address in use as a communication error", async () => {
    const first = await listen({ host: "127.0.0.1", config: plain }, () => undefined);
    const error = await createListener(
      { host: "127.0.0.1", port: first.port ?? 0, config: plain },
      () => undefined,
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PyroError);
    expect((error as PyroError).code).toBe("communication");
    expect((error as PyroError).message).toMatch(
      /^cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/,
    );
  });
});

describe("TLS listeners", () => {
  const pythonTlsEnv = (withClientCert: boolean): Record<string, string> => ({
    PYRO_SSL: "1",
    PYRO_SSL_CACERTS: certs.caCert,
    ...(withClientCert
      ? { PYRO_SSL_CLIENTCERT: certs.clientCert, PYRO_SSL_CLIENTKEY: certs.clientKey }
      : {}),
  });

  it("two-way: a Pyro4 proxy with a client certificate binds, and the certificate is seen", async () => {
    const seen: { peer?: unknown } = {};
    const cfg = new PyroConfig({
      SSL: true,
      SSL_SERVERCERT: certs.serverCert,
      SSL_SERVERKEY: certs.serverKey,
      SSL_CACERTS: certs.caCert,
      SSL_REQUIRECLIENTCERT: true,
    });
    const listener = await listen({ host: "localhost", config: cfg }, fakeDaemon(seen));
    expect(await pythonBind(`PYRO:obj@${listener.location}`, pythonTlsEnv(true))).toBe(
      "BOUND ping",
    );
    expect(seen.peer).toBe(CLIENT_CN);
  });

  it("two-way: a Pyro4 proxy without a client certificate is refused", async () => {
    const withoutCert = await listen(
      { host: "127.0.0.1", config: plain, tls: { requireClientCert: true } },
      fakeDaemon({}),
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(withoutCert).toBeInstanceOf(PyroError);
    expect((withoutCert as PyroError).code).toBe("config");
    expect((withoutCert as PyroError).message).toMatch(
      /a TLS listener needs a server certificate; set SSL_SERVERCERT/,
    );
    const cfg = new PyroConfig({
      SSL_SERVERCERT: certs.serverCert,
      SSL_SERVERKEY: certs.serverKey,
      SSL_CACERTS: certs.caCert,
    });
    const strict = await listen(
      { host: "127.0.0.1", config: cfg, tls: { requireClientCert: true } },
      fakeDaemon({}),
    );
    const answer = await pythonBind(`PYRO:obj@${strict.location}`, pythonTlsEnv(false));
    expect(answer).toMatch(/^ERROR (CommunicationError|ConnectionClosedError): /);
  });

  it("one-way: a pyrogen client verifies the listener's certificate", async () => {
    const cfg = new PyroConfig({
      SSL: true,
      SSL_SERVERCERT: certs.serverCert,
      SSL_SERVERKEY: certs.serverKey,
    });
    const seen: { type?: number } = {};
    const listener = await listen({ host: "127.0.0.1", config: cfg }, fakeDaemon(seen));
    const stream = await openStream(`PYRO:obj@${listener.location}`, {
      tls: { ca: readFileSync(certs.caCert, "utf8") },
    });
    stream.write(
      encodeRaw({
        type: CONNECT,
        flags: 0,
        seq: 7,
        serializerId: JSON_ID,
        data: Buffer.from('{"handshake": "hello"}'),
      }),
    );
    const reply = await readRaw(stream);
    stream.destroy();
    expect([reply.type, reply.seq]).toEqual([CONNECTOK, 7]);
  });
});
