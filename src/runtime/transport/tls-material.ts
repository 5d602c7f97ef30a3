/**
 * The certificates and keys of a TLS connection or listener: taken from the options a
 * caller passes (PEM text or bytes), else read from the files the `SSL_*` config items name,
 * the way Pyro4 loads them.
 */
import { readFile, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { createSecureContext, rootCertificates } from "node:tls";
import type { ConnectionOptions, SecureContext, SecureContextOptions, TlsOptions } from "node:tls";
import type { PyroConfig } from "../config.js";
import { PyroError } from "../errors.js";

/** PEM-encoded certificate or key material, as text or bytes. */
export type Pem = string | Uint8Array;

/** TLS settings of a client connection; what is left out comes from the `SSL_*` config items. */
export interface TlsClientOptions {
  /** CA certificates to trust in addition to Node's root store (default: `SSL_CACERTS`). */
  readonly ca?: Pem | readonly Pem[];
  /** Client certificate for 2-way TLS (default: `SSL_CLIENTCERT`). */
  readonly cert?: Pem;
  /** Key of the client certificate (default: `SSL_CLIENTKEY`, else the certificate file). */
  readonly key?: Pem;
  /** Passphrase of the key (default: `SSL_CLIENTKEYPASSWD`). */
  readonly passphrase?: string;
  /** The name the server certificate must carry (default: the URI's host). */
  readonly servername?: string;
}

/** TLS settings of a listener; what is left out comes from the `SSL_*` config items. */
export interface TlsServerOptions {
  /** Server certificate (default: `SSL_SERVERCERT`; one of the two is required). */
  readonly cert?: Pem;
  /** Key of the server certificate (default: `SSL_SERVERKEY`, else the certificate file). */
  readonly key?: Pem;
  /** Passphrase of the key (default: `SSL_SERVERKEYPASSWD`). */
  readonly passphrase?: string;
  /** CAs that sign acceptable client certificates (default: `SSL_CACERTS`). */
  readonly ca?: Pem | readonly Pem[];
  /** Require a valid client certificate, 2-way TLS (default: `SSL_REQUIRECLIENTCERT`). */
  readonly requireClientCert?: boolean;
}

function toBuffer(pem: Pem): Buffer {
  return typeof pem === "string" ? Buffer.from(pem, "utf8") : Buffer.from(pem);
}

async function readPem(file: string, item: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new PyroError(
      "config",
      `cannot read ${item} file '${file}': ${(error as Error).message}; ` +
        `set ${item} (env PYRO_${item}) to a readable PEM file`,
      { cause: error },
    );
  }
}

/** A CA file, or every certificate file in a CA directory (as Python's `capath`). */
async function readCaLocation(location: string): Promise<Buffer[]> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(location)).isDirectory();
  } catch (error) {
    throw new PyroError(
      "config",
      `cannot read SSL_CACERTS '${location}': ${(error as Error).message}; ` +
        "set SSL_CACERTS (env PYRO_SSL_CACERTS) to a PEM file or a directory of them",
      { cause: error },
    );
  }
  if (!isDirectory) return [await readPem(location, "SSL_CACERTS")];
  const found: Buffer[] = [];
  for (const name of (await readdir(location)).sort()) {
    const file = path.join(location, name);
    if (!(await stat(file)).isFile()) continue;
    const pem = await readPem(file, "SSL_CACERTS");
    if (pem.includes("-----BEGIN CERTIFICATE-----")) found.push(pem);
  }
  return found;
}

async function caList(
  given: Pem | readonly Pem[] | undefined,
  cfg: PyroConfig,
): Promise<Buffer[] | undefined> {
  if (given !== undefined) {
    return (typeof given === "string" || given instanceof Uint8Array ? [given] : given).map(
      toBuffer,
    );
  }
  const location = cfg.get("SSL_CACERTS");
  return location === "" ? undefined : readCaLocation(location);
}

/** A PEM from the options, else from the file a config item names; `undefined` if neither. */
async function pemOrFile(
  given: Pem | undefined,
  cfg: PyroConfig,
  item: "SSL_CLIENTCERT" | "SSL_CLIENTKEY" | "SSL_SERVERCERT" | "SSL_SERVERKEY",
): Promise<Buffer | undefined> {
  if (given !== undefined) return toBuffer(given);
  const file = cfg.get(item);
  return file === "" ? undefined : readPem(file, item);
}

/** Why OpenSSL could not use the certificates or key, in words (never their content). */
const MATERIAL_PROBLEMS: Readonly<Record<string, string>> = {
  ERR_OSSL_BAD_DECRYPT: "the key is encrypted and its passphrase is wrong or missing",
  ERR_OSSL_UNSUPPORTED: "the key is not a private key OpenSSL can read",
  ERR_OSSL_PEM_NO_START_LINE: "a certificate or key is not PEM text",
  ERR_OSSL_PEM_BAD_BASE64_DECODE: "a certificate or key is corrupt (bad base64)",
  ERR_OSSL_X509_KEY_VALUES_MISMATCH: "the key does not belong to the certificate",
  ERR_OSSL_EVP_BAD_DECRYPT: "the key is encrypted and its passphrase is wrong or missing",
};

/**
 * The secure context of a connection or listener, built at once: certificates or a key that
 * cannot be used are a `config` error naming the settings to fix. The message says what is
 * wrong from OpenSSL's error code only, so no key material or passphrase ever shows.
 */
function secureContextOf(options: SecureContextOptions, side: "client" | "server"): SecureContext {
  try {
    return createSecureContext(options);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const reason = (error as { reason?: unknown } | null)?.reason;
    const problem =
      (typeof code === "string" ? MATERIAL_PROBLEMS[code] : undefined) ??
      `OpenSSL refused it (${typeof reason === "string" ? reason : String(code ?? "no code")})`;
    const items =
      side === "client"
        ? "tls.cert, tls.key, tls.passphrase (SSL_CLIENTCERT, SSL_CLIENTKEY, SSL_CLIENTKEYPASSWD)"
        : "tls.cert, tls.key, tls.passphrase (SSL_SERVERCERT, SSL_SERVERKEY, SSL_SERVERKEYPASSWD)";
    throw new PyroError(
      "config",
      `cannot use the TLS ${side} certificate or key: ${problem}; check ${items}`,
      { cause: error },
    );
  }
}

/**
 * Node `tls.connect` options for a client: the peer is always verified (host name included),
 * against Node's root store plus the extra CAs, as Python's default context does.
 */
export async function clientTlsOptions(
  given: TlsClientOptions,
  cfg: PyroConfig,
): Promise<ConnectionOptions> {
  const extraCa = await caList(given.ca, cfg);
  const cert = await pemOrFile(given.cert, cfg, "SSL_CLIENTCERT");
  // Like Python's load_cert_chain(cert, None): the key may live in the certificate file.
  const key = cert === undefined ? undefined : await pemOrFile(given.key, cfg, "SSL_CLIENTKEY");
  const passphrase = given.passphrase ?? cfg.get("SSL_CLIENTKEYPASSWD");
  const secureContext = secureContextOf(
    {
      ...(extraCa === undefined ? {} : { ca: [...rootCertificates, ...extraCa] }),
      ...(cert === undefined ? {} : { cert, key: key ?? cert }),
      ...(passphrase === "" ? {} : { passphrase }),
    },
    "client",
  );
  return {
    rejectUnauthorized: true,
    secureContext,
    ...(given.servername === undefined ? {} : { servername: given.servername }),
  };
}

/** Node `tls.createServer` options for a listener (1-way, or 2-way when client certs are required). */
export async function serverTlsOptions(
  given: TlsServerOptions,
  cfg: PyroConfig,
): Promise<TlsOptions> {
  const cert = await pemOrFile(given.cert, cfg, "SSL_SERVERCERT");
  if (cert === undefined) {
    throw new PyroError(
      "config",
      "a TLS listener needs a server certificate; set SSL_SERVERCERT (env PYRO_SSL_SERVERCERT) " +
        "or pass tls.cert",
    );
  }
  const key = await pemOrFile(given.key, cfg, "SSL_SERVERKEY");
  const ca = await caList(given.ca, cfg);
  const passphrase = given.passphrase ?? cfg.get("SSL_SERVERKEYPASSWD");
  const requireClientCert = given.requireClientCert ?? cfg.get("SSL_REQUIRECLIENTCERT");
  const material: SecureContextOptions = {
    cert,
    key: key ?? cert,
    ...(ca === undefined ? {} : { ca }),
    ...(passphrase === "" ? {} : { passphrase }),
  };
  // A Node server builds its context from these options itself; building one here first
  // turns unusable material into a clear error before anything listens.
  secureContextOf(material, "server");
  return { ...material, requestCert: requireClientCert, rejectUnauthorized: requireClientCert };
}
