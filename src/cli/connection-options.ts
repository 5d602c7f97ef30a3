/**
 * How the CLI connects: flags and config-file fields for serializer, timeout, HMAC key,
 * handshake data, TLS and name-server location, turned into one runtime `PyroConfig` (which
 * also reads the `PYRO_*` environment variables; flags and config fields win over them).
 * These settings are the generator's own connection: generated modules do not take them
 * over (an application passes its own options, or sets `PYRO_*`).
 */
import { accessSync, constants, statSync } from "node:fs";
import { PyroConfig, PyroError } from "@pyrogen/runtime";
import { z } from "zod";
import { SERIALIZER_NAMES } from "@pyrogen/runtime/wire";
import { CliError, EXIT } from "./exit-codes.js";
import { effectiveTimeoutMs } from "./timeout.js";
import { explainFileErrorSync } from "./write-file.js";

/** Connection settings, as config-file fields (flags use the kebab-case names). */
export const connectionSchema = z.strictObject({
  serializer: z.enum(SERIALIZER_NAMES).optional(),
  timeoutMs: z.number().positive().optional(),
  hmacKey: z.string().optional(),
  /** The data sent in the CONNECT handshake, for daemons whose validateHandshake wants some. */
  handshake: z.json().optional(),
  nsHost: z.string().min(1).optional(),
  nsPort: z.number().int().min(1).max(65535).optional(),
  nsBcPort: z.number().int().min(1).max(65535).optional(),
  broadcastAddrs: z.string().optional(),
  broadcast: z.boolean().optional(),
  tls: z.boolean().optional(),
  tlsCa: z.string().optional(),
  tlsCert: z.string().optional(),
  tlsKey: z.string().optional(),
});

/** Connection settings. */
export type ConnectionSettings = z.infer<typeof connectionSchema>;

/** The runtime configuration for `settings`: environment first, then the settings. */
export function pyroConfigFor(settings: ConnectionSettings): PyroConfig {
  let config: PyroConfig;
  try {
    config = PyroConfig.fromEnv();
    const timeoutMs = effectiveTimeoutMs(settings.timeoutMs);
    config.set({
      SERIALIZER: settings.serializer,
      COMMTIMEOUT: timeoutMs === undefined ? undefined : timeoutMs / 1000,
      HMAC_KEY: settings.hmacKey,
      NS_HOST: settings.nsHost,
      NS_PORT: settings.nsPort,
      NS_BCPORT: settings.nsBcPort,
      BROADCAST_ADDRS: settings.broadcastAddrs,
      SSL: settings.tls,
      SSL_CACERTS: settings.tlsCa,
      SSL_CLIENTCERT: settings.tlsCert,
      SSL_CLIENTKEY: settings.tlsKey,
    });
  } catch (error) {
    if (error instanceof PyroError) throw new CliError(error.message, EXIT.usage, { cause: error });
    throw error;
  }
  if (config.get("SSL")) checkTlsFiles(config);
  return config;
}

/** The TLS files must be readable: a missing one is a file error (exit 4), said before connecting. */
function checkTlsFiles(config: PyroConfig): void {
  const files = [
    ["SSL_CACERTS", "CA certificates", "--tls-ca, config field tlsCa"],
    ["SSL_CLIENTCERT", "client certificate", "--tls-cert, config field tlsCert"],
    ["SSL_CLIENTKEY", "client key", "--tls-key, config field tlsKey"],
  ] as const;
  for (const [item, what, where] of files) {
    const file = config.get(item);
    if (file === "") continue;
    try {
      const folder = statSync(file).isDirectory();
      // The CA setting may name a folder of PEM files; the others name one file.
      if (!(folder && item === "SSL_CACERTS")) accessSync(file, constants.R_OK);
    } catch (error) {
      throw new CliError(
        `cannot read the TLS ${what} ${file} (from ${where} or PYRO_${item}): ` +
          explainFileErrorSync(error),
        EXIT.io,
        { cause: error },
      );
    }
  }
}

/** Merge settings: later ones win field by field. */
export function mergeSettings(...layers: ConnectionSettings[]): ConnectionSettings {
  const merged: Record<string, unknown> = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) if (value !== undefined) merged[key] = value;
  }
  return merged as ConnectionSettings;
}
