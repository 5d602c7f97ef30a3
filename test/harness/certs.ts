/**
 * Throw-away TLS material for tests, made with the `openssl` command: a CA, a server
 * certificate for `localhost`, `127.0.0.1` and `::1`, a client certificate (also with a
 * passphrase-protected key), and a second CA that signed nothing the daemons trust.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** Paths of the generated PEM files. */
export interface TestCerts {
  readonly dir: string;
  /** The CA that signed the server and client certificates. */
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  /** Client certificate, common name {@link CLIENT_CN}. */
  readonly clientCert: string;
  readonly clientKey: string;
  /** The client key encrypted with {@link CLIENT_KEY_PASSPHRASE}. */
  readonly clientKeyEncrypted: string;
  /** A CA unrelated to the certificates above (to show a failed verification). */
  readonly otherCaCert: string;
  /** Environment for a Python Pyro4 daemon: TLS on, this server certificate, optionally 2-way. */
  daemonEnv(twoWay: boolean): Record<string, string>;
  /** Delete the directory. */
  remove(): void;
}

/** Common name of the client certificate. */
export const CLIENT_CN = "pyrogen-test-client";
/** Passphrase of {@link TestCerts.clientKeyEncrypted}. */
export const CLIENT_KEY_PASSPHRASE = "pyrogen-secret";

function openssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

function newKey(dir: string, name: string): void {
  openssl(dir, [
    "genpkey",
    "-algorithm",
    "EC",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-out",
    name,
  ]);
}

/** A new key `<name>.key`, its extensions file `<name>.ext` and a signing request `<name>.csr`. */
function keyAndRequest(dir: string, name: string, commonName: string, extensions: string): void {
  newKey(dir, `${name}.key`);
  writeFileSync(path.join(dir, `${name}.ext`), extensions);
  openssl(dir, [
    "req",
    "-new",
    "-key",
    `${name}.key`,
    "-subj",
    `/CN=${commonName}`,
    "-out",
    `${name}.csr`,
  ]);
}

function selfSignedCa(dir: string, name: string, commonName: string): void {
  keyAndRequest(
    dir,
    name,
    commonName,
    "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n" +
      "subjectKeyIdentifier=hash\n",
  );
  openssl(dir, [
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-signkey",
    `${name}.key`,
    "-days",
    "3",
    "-extfile",
    `${name}.ext`,
    "-out",
    `${name}.pem`,
  ]);
}

function signedLeaf(dir: string, name: string, commonName: string, extensions: string): void {
  keyAndRequest(
    dir,
    name,
    commonName,
    "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n" +
      "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid,issuer\n" +
      extensions,
  );
  openssl(dir, [
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-days",
    "3",
    "-extfile",
    `${name}.ext`,
    "-out",
    `${name}.pem`,
  ]);
}

/** Generate a fresh set of certificates in a new temporary directory (about a second). */
export function createTestCerts(): TestCerts {
  const dir = mkdtempSync(path.join(tmpdir(), "pyrogen-certs-"));
  selfSignedCa(dir, "ca", "pyrogen-test-ca");
  selfSignedCa(dir, "other-ca", "pyrogen-untrusted-ca");
  signedLeaf(
    dir,
    "server",
    "localhost",
    "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n",
  );
  signedLeaf(dir, "client", CLIENT_CN, "extendedKeyUsage=clientAuth\n");
  openssl(dir, [
    "pkey",
    "-in",
    "client.key",
    "-aes256",
    "-passout",
    `pass:${CLIENT_KEY_PASSPHRASE}`,
    "-out",
    "client-encrypted.key",
  ]);
  const file = (name: string): string => path.join(dir, name);
  const certs: TestCerts = {
    dir,
    caCert: file("ca.pem"),
    serverCert: file("server.pem"),
    serverKey: file("server.key"),
    clientCert: file("client.pem"),
    clientKey: file("client.key"),
    clientKeyEncrypted: file("client-encrypted.key"),
    otherCaCert: file("other-ca.pem"),
    daemonEnv: (twoWay) => ({
      PYRO_SSL: "1",
      PYRO_SSL_SERVERCERT: certs.serverCert,
      PYRO_SSL_SERVERKEY: certs.serverKey,
      PYRO_SSL_CACERTS: certs.caCert,
      PYRO_SSL_REQUIRECLIENTCERT: twoWay ? "1" : "0",
    }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  return certs;
}
