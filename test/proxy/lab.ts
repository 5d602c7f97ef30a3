/**
 * Shared by the proxy tests: start `fixtures/proxy_server.py` (the Lab object) on a Pyro4
 * or Pyro5 daemon, and the serializers every test runs with.
 */
import { afterAll, beforeAll } from "vitest";
import { PYRO4, type Generation } from "../harness/generations.js";
import type { PythonProcesses } from "../harness/python.js";
import type { SerializerName } from "../../src/runtime/serializers/serializer.js";

/** What `proxy_server.py` prints on its READY line. */
export interface LabInfo {
  /** `PYRO:lab@…`, the Lab object. */
  readonly uri: string;
  /** `PYRO:empty@…`, an object that exposes nothing. */
  readonly empty: string;
  readonly port: number | null;
  readonly pid: number;
}

/** Every serializer pyrogen speaks; the Lab daemon accepts all of them. */
export const SERIALIZERS: readonly SerializerName[] = ["serpent", "json", "marshal", "msgpack"];

/** Start a Lab daemon of `generation` with extra command-line arguments and environment. */
export async function startLab(
  python: PythonProcesses,
  args: string[] = [],
  env: Record<string, string> = {},
  generation: Generation = PYRO4,
): Promise<LabInfo & { stop(): Promise<void> }> {
  const { process, info } = await python.startFixture<LabInfo>("proxy_server.py", args, {
    env,
    generation: generation.protocol,
  });
  return { ...info, stop: () => process.stop() };
}

/**
 * One plain Lab daemon (of `generation`) for the calling test file or suite: started in
 * `beforeAll`; `afterAll` stops every process of `python`. The returned object gets the
 * daemon's details once it runs.
 */
export function useLab(python: PythonProcesses, generation: Generation = PYRO4): LabInfo {
  const lab: LabInfo = { uri: "", empty: "", port: null, pid: 0 };
  beforeAll(async () => {
    const { uri, empty, port, pid } = await startLab(python, [], {}, generation);
    Object.assign(lab, { uri, empty, port, pid });
  });
  afterAll(() => python.stopAll());
  return lab;
}
