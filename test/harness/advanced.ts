/**
 * Shared set-up of the naming, batch, async and stream tests: the fixture name server
 * (`fixtures/name_server.py`) and the fixture daemon (`fixtures/advanced_server.py`).
 */
import type { SerializerName } from "../../src/runtime/serializers/serializer.js";
import type { PythonProcess, PythonProcesses } from "./python.js";

/** Every serializer pyrogen speaks; the fixtures accept them all. */
export const SERIALIZERS: readonly SerializerName[] = ["serpent", "json", "marshal", "msgpack"];

/** What `fixtures/name_server.py` prints. */
export interface NameServerInfo {
  uri: string;
  port: number;
  /** UDP port of the broadcast responder on 127.0.0.1, or `null` without one. */
  bcPort: number | null;
}

/** What `fixtures/advanced_server.py` prints. */
export interface AdvancedInfo {
  uri: string;
  workers: string[];
  port: number;
}

/**
 * A name server on 127.0.0.1 accepting every serializer, with a broadcast responder on
 * 127.0.0.1 when `broadcast` is set, and an HMAC key when `hmac` is given.
 */
export async function startNameServer(
  python: PythonProcesses,
  options: { broadcast?: boolean; hmac?: string; generation?: 4 | 5 } = {},
): Promise<{ process: PythonProcess; info: NameServerInfo }> {
  const args = ["--host", "127.0.0.1", ...(options.broadcast === true ? [] : ["--no-bc"])];
  if (options.hmac !== undefined) args.push("--hmac", options.hmac);
  return python.startFixture<NameServerInfo>("name_server.py", args, {
    // Pyro5 name servers accept every serializer (and drop this Pyro4-only variable).
    env: { PYRO_SERIALIZERS_ACCEPTED: "serpent,json,marshal,msgpack" },
    ...(options.generation === undefined ? {} : { generation: options.generation }),
  });
}

/**
 * The advanced fixture daemon; with `nsPort` it registers `adv.main` and `adv.worker1..3`
 * (with metadata) in the name server on 127.0.0.1:nsPort. `env` sets daemon config items.
 */
export async function startAdvanced(
  python: PythonProcesses,
  options: { nsPort?: number; env?: Record<string, string>; generation?: 4 | 5 } = {},
): Promise<{ process: PythonProcess; info: AdvancedInfo }> {
  const args = ["--host", "127.0.0.1"];
  if (options.nsPort !== undefined) args.push("--ns", `127.0.0.1:${options.nsPort}`);
  return python.startFixture<AdvancedInfo>("advanced_server.py", args, {
    env: options.env ?? {},
    ...(options.generation === undefined ? {} : { generation: options.generation }),
  });
}

/**
 * Call `read` until `accept` says yes (returning that value) or `timeoutMs` passes
 * (returning the last value): for effects the daemon applies in the background.
 */
export async function eventually<T>(
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
