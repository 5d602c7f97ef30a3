/**
 * Socket and TLS failures as Pyro4 reports them (`CommunicationError("cannot connect to …")`,
 * `ConnectionClosedError("receiving: connection lost: …")`), each with a hint at the fix.
 */
import { PyroError } from "../errors.js";

const CA_HINT =
  "trust the CA that signed the daemon's certificate with SSL_CACERTS (env PYRO_SSL_CACERTS) " +
  "or the tls.ca option";
const CLIENT_CERT_HINT =
  "the daemon requires a client certificate (2-way TLS); set SSL_CLIENTCERT and SSL_CLIENTKEY " +
  "(env PYRO_SSL_CLIENTCERT, PYRO_SSL_CLIENTKEY) or the tls.cert and tls.key options";

const HINTS: Readonly<Record<string, string>> = {
  ECONNREFUSED: "is a Pyro daemon listening at that address?",
  ENOENT: "no such Unix socket; is the daemon running with that socket path?",
  EACCES: "permission denied; check the Unix socket's file permissions",
  ENOTFOUND: "the host name does not resolve (PREFER_IP_VERSION picks IPv4 or IPv6)",
  EAI_AGAIN: "the host name could not be resolved right now",
  EHOSTUNREACH: "the host is unreachable",
  ENETUNREACH: "the network is unreachable",
  ECONNRESET:
    "the daemon reset the connection; with TLS, check that both sides have SSL on and that a " +
    "client certificate (SSL_CLIENTCERT) is set if the daemon requires one",
  DEPTH_ZERO_SELF_SIGNED_CERT: CA_HINT,
  SELF_SIGNED_CERT_IN_CHAIN: CA_HINT,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: CA_HINT,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: CA_HINT,
  UNABLE_TO_GET_ISSUER_CERT: CA_HINT,
  CERT_HAS_EXPIRED: "the daemon's certificate has expired",
  CERT_NOT_YET_VALID: "the daemon's certificate is not valid yet",
  ERR_TLS_CERT_ALTNAME_INVALID:
    "the daemon's certificate does not name this host; connect with a name or IP address it " +
    "lists, or set tls.servername",
  ERR_SSL_WRONG_VERSION_NUMBER: "the daemon does not speak TLS; turn SSL off or enable it there",
  ERR_SSL_PACKET_LENGTH_TOO_LONG: "the daemon does not speak TLS; turn SSL off or enable it there",
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: CLIENT_CERT_HINT,
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: CLIENT_CERT_HINT,
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE:
    "the daemon rejected the client certificate; it must be signed by a CA the daemon trusts",
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA:
    "the daemon does not trust the client certificate's CA (its SSL_CACERTS)",
};

/** The Node error code (`ECONNREFUSED`, `DEPTH_ZERO_SELF_SIGNED_CERT`, …), if any. */
function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** The cause as text: Node's message, its code when the message lacks it, and a hint. */
export function describeSocketError(error: unknown): string {
  // OpenSSL errors carry a short `reason`; their message is a multi-line dump.
  const reason = (error as { reason?: unknown } | null)?.reason;
  const message =
    typeof reason === "string" && reason !== ""
      ? reason
      : error instanceof Error
        ? error.message
        : String(error);
  const code = errorCode(error);
  const withCode = code === undefined || message.includes(code) ? message : `${message} (${code})`;
  const hint = code === undefined ? undefined : HINTS[code];
  return hint === undefined ? withCode : `${withCode}; ${hint}`;
}

/** `communication`: the connection to `location` could not be opened (never retried). */
export function connectError(location: string, cause: unknown): PyroError {
  return new PyroError(
    "communication",
    `cannot connect to ${location}: ${describeSocketError(cause)}`,
    {
      cause,
    },
  );
}

/**
 * `connection-closed`: an open connection failed while `sending` or `receiving`, e.g. a
 * 2-way TLS daemon that refused the missing client certificate after the handshake (TLS 1.3
 * reports that only then). For the channel layer.
 */
export function connectionLostError(phase: "sending" | "receiving", cause: unknown): PyroError {
  return new PyroError(
    "connection-closed",
    `${phase}: connection lost: ${describeSocketError(cause)}`,
    {
      cause,
    },
  );
}
