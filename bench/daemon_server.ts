/**
 * The TypeScript daemon of the `daemon` benchmark, in a process of its own (as the Python
 * daemon is): serves `bench.echo(x)` on 127.0.0.1 with every serializer, prints
 * `READY {"uri": ...}` and runs until it is stopped.
 *
 * usage: node --import tsx bench/daemon_server.ts
 */
import { Daemon } from "./runtime.js";

const daemon = await Daemon.start({ host: "127.0.0.1" });
const uri = daemon.register(
  { echo: (x: unknown) => x },
  { id: "bench", expose: { methods: ["echo"] } },
);
console.log(`READY ${JSON.stringify({ uri: uri.toString() })}`);
process.on("SIGTERM", () => {
  void daemon.close().then(() => process.exit(0));
});
