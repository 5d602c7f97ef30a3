/**
 * Vitest setup file: before any test module (and so the runtime's global config) loads,
 * point every Pyro4 setting that could reach the network at loopback. Child processes the
 * tests start (Python daemons, bin/pyrogen.js) inherit it.
 */
for (const key of Object.keys(process.env)) {
  if (key.startsWith("PYRO_")) delete process.env[key];
}
process.env["PYRO_BROADCAST_ADDRS"] = "127.0.0.1";
process.env["PYRO_NS_HOST"] = "127.0.0.1";
process.env["PYRO_HOST"] = "127.0.0.1";
