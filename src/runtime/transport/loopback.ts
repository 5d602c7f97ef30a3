/**
 * Whether a connection stays on this machine, which decides whether TCP keepalive is worth
 * setting: its probes find a peer that vanished across a network, while on loopback the
 * kernel itself ends a connection whose peer went away, and the options would cost system
 * calls on every connect (Node's `setKeepAlive(true)` makes two).
 */
import { BlockList, isIP } from "node:net";

// IPv6 spellings vary (::1, 0:0:0:0:0:0:0:1, ::ffff:127.0.0.1), so a BlockList reads them.
const IPV6_LOOPBACK = new BlockList();
IPV6_LOOPBACK.addAddress("::1", "ipv6");
// IPv4-mapped IPv6 addresses of 127.0.0.0/8.
IPV6_LOOPBACK.addSubnet("::ffff:127.0.0.0", 104, "ipv6");

/**
 * True for an address in 127.0.0.0/8, `::1` (in any IPv6 spelling) and `localhost`, which
 * resolves to loopback (RFC 6761); false for every other name and address.
 */
export function isLoopbackHost(host: string): boolean {
  if (host.toLowerCase() === "localhost") return true;
  const family = isIP(host);
  // `isIP` takes only dotted decimals without leading zeros, so a 127.0.0.0/8 address starts
  // with exactly "127.". Cheaper than `BlockList.check`, which makes a native address object
  // on every connect.
  if (family === 4) return host.startsWith("127.");
  return family === 6 && IPV6_LOOPBACK.check(host, "ipv6");
}
