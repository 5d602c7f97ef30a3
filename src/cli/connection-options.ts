/**
 * How the CLI connects: flags and config-file fields for serializer, timeout, HMAC key, TLS
 * and name-server location, turned into one runtime `PyroConfig` (which also reads the
 * `PYRO_*` environment variables; flags and config fields win over them).
 */
import { z } from "zod";
import { PyroConfig, PyroError } from "@pyrogen/runtime";
import { CliError, EXIT } from "./exit-codes.js";

/** Connection settings, as config-file fields (flags use the kebab-case names). */
export const connectionSchema = z.strictObject({
  serializer: z.enum(["serpent", "json", "marshal", "msgpack"]).optional(),
  timeoutMs: z.number().positive().optional(),
  hmacKey: z.string().optional(),
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
  try {
    const config = PyroConfig.fromEnv();
    config.set({
      SERIALIZER: settings.serializer,
      COMMTIMEOUT: settings.timeoutMs === undefined ? undefined : settings.timeoutMs / 1000,
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
    return config;
  } catch (error) {
    if (error instanceof PyroError) throw new CliError(error.message, EXIT.usage, { cause: error });
    throw error;
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
