/**
 * Whether an idle TCP socket of this machine has SO_KEEPALIVE on, read from the kernel's
 * socket tables (Node cannot read socket options): an idle established socket with
 * keepalive has its keepalive timer pending, `tr` 2 in /proc/net/tcp and tcp6; without,
 * no timer (`tr` 0).
 */
import { readFileSync } from "node:fs";
import type { Socket } from "node:net";

/**
 * The keepalive of the socket from `localPort` to `remotePort` (either address family);
 * `undefined` when the kernel lists no such established socket.
 */
function idleKeepalive(localPort: number, remotePort: number): boolean | undefined {
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 6 || fields[3] !== "01") continue; // 01: ESTABLISHED
      if (portOf(fields[1]!) !== localPort || portOf(fields[2]!) !== remotePort) continue;
      return fields[5]!.split(":")[0] === "02";
    }
  }
  return undefined;
}

/**
 * The keepalive of `socket`'s connection as it is, then after `setKeepAlive(true)` on it:
 * `[false, true]` shows that it was off, and that the reading would have seen it on.
 */
export function keepaliveThenSet(socket: Socket): [boolean | undefined, boolean | undefined] {
  const { localPort, remotePort } = socket;
  const before = idleKeepalive(localPort!, remotePort!);
  socket.setKeepAlive(true);
  return [before, idleKeepalive(localPort!, remotePort!)];
}

/** The port of an `address:port` field, both in hex. */
function portOf(field: string): number {
  return Number.parseInt(field.slice(field.lastIndexOf(":") + 1), 16);
}
