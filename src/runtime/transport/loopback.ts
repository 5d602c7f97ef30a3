/**
 * Whether a connection stays on this machine, which decides whether TCP keepalive is worth
 * setting: its probes find a peer that vanished across a network, while on loopback the
 * kernel itself ends a connection whose peer went away, and the options would cost system
 * calls on every connect (Node's `setKeepAlive(true)` makes two).
 */
import { BlockList, isIP } from "node:net";

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");
// IPv4-mapped IPv6 addresses of 127.0.0.0/8 (::ffff:127.0.0.1).
LOOPBACK.addSubnet("::ffff:127.0.0.0", 104, "ipv6");

/**
 * True for an address in 127.0.0.0/8, `::1` (in any IPv6 spelling) and `localhost`, which
 * resolves to loopback (RFC 6761); false for every other name and address.
 */
export function isLoopbackHost(host: string): boolean {
  if (host.toLowerCase() === "localhost") return true;
  const family = isIP(host);
  if (family === 0) return false;
  return LOOPBACK.check(host, family === 4 ? "ipv4" : "ipv6");
}
