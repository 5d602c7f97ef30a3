/**
 * Two objects that Pyro4 gave made-up ids (`obj_…`), on real daemons: one registered with a
 * real name server as `example.counter`, one known to no name server.
 */
import type { PythonProcesses } from "../harness/python.js";

export interface RandomIdObjects {
  nsPort: number;
  /** The random-id URI the name server has a name for. */
  registered: string;
  /** The random-id URI no name server knows. */
  unregistered: string;
}

/** Start the name server and both daemons (stopped with `python.stopAll()`). */
export async function startRandomIdObjects(python: PythonProcesses): Promise<RandomIdObjects> {
  const nsPort = (await python.startNameServer()).port;
  const [inNs, alone] = await Promise.all([
    python.startFixture<{ randomUri: string }>("cli_objects_server.py", [
      "--ns",
      `127.0.0.1:${nsPort}`,
      "--name",
      "example.counter",
    ]),
    python.startFixture<{ randomUri: string }>("cli_objects_server.py"),
  ]);
  return { nsPort, registered: inNs.info.randomUri, unregistered: alone.info.randomUri };
}
