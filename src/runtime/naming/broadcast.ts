/**
 * Name-server discovery over UDP, as Pyro4's `locateNS` does it: send the 9 bytes
 * `GET_NSURI` to port NS_BCPORT of every BROADCAST_ADDRS entry, wait 0.7 s for one reply
 * (the name server's URI as ISO-8859-1 text), and try that 3 times.
 */
import { createSocket, type Socket } from "node:dgram";

const REQUEST = Buffer.from("GET_NSURI", "ascii");

/** Where and how to ask. */
export interface BroadcastOptions {
  /** Destination addresses (BROADCAST_ADDRS); `<broadcast>` is 255.255.255.255, `""` is 0.0.0.0. */
  readonly addresses: readonly string[];
  /** UDP port of the responders (NS_BCPORT). */
  readonly port: number;
  /** Rounds of sending (default 3, as Pyro4). */
  readonly tries?: number;
  /** How long each round waits for a reply, ms (default 700, as Pyro4). */
  readonly waitMs?: number;
}

/** What a discovery found: the first reply's URI text, or why nothing came. */
export interface BroadcastOutcome {
  /** The name server's URI as the responder sent it, or `null` if no reply came. */
  readonly uri: string | null;
  /** Send failures, one line per address and error (empty when every send went out). */
  readonly failures: readonly string[];
}

/** The IPv4 destination Pyro4 uses for a BROADCAST_ADDRS entry. */
export function broadcastDestination(address: string): string {
  if (address === "<broadcast>") return "255.255.255.255";
  return address === "" ? "0.0.0.0" : address;
}

/** Ask for the name server's URI by UDP (see the module comment). Never throws. */
export async function discoverNameServer(options: BroadcastOptions): Promise<BroadcastOutcome> {
  const tries = options.tries ?? 3;
  const waitMs = options.waitMs ?? 700;
  const failures = new Set<string>();
  const socket = createSocket({ type: "udp4" });
  try {
    const bound = await bind(socket);
    if (bound !== null) return { uri: null, failures: [`cannot open a UDP socket: ${bound}`] };
    socket.setBroadcast(true);
    for (let round = 0; round < tries; round++) {
      const reply = waitForReply(socket, waitMs);
      await Promise.all(
        options.addresses.map(async (address) => {
          const destination = broadcastDestination(address);
          const error = await send(socket, destination, options.port);
          if (error !== null) failures.add(`${destination}:${options.port}: ${error}`);
        }),
      );
      const uri = await reply;
      if (uri !== null) return { uri, failures: [...failures] };
    }
    return { uri: null, failures: [...failures] };
  } finally {
    socket.close();
  }
}

/** Bind to an ephemeral port; resolves an error text on failure, else `null`. */
function bind(socket: Socket): Promise<string | null> {
  return new Promise((resolve) => {
    const onError = (error: Error): void => resolve(error.message);
    socket.once("error", onError);
    socket.bind(0, () => {
      socket.off("error", onError);
      // Later socket errors (e.g. ICMP unreachable) must not crash the process.
      socket.on("error", () => undefined);
      resolve(null);
    });
  });
}

function send(socket: Socket, address: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    try {
      socket.send(REQUEST, port, address, (error) => resolve(error ? error.message : null));
    } catch (error) {
      // dgram throws synchronously for invalid ports or addresses.
      resolve(error instanceof Error ? error.message : String(error));
    }
  });
}

/** The first datagram that arrives within `waitMs`, decoded as ISO-8859-1, or `null`. */
function waitForReply(socket: Socket, waitMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.off("message", onMessage);
      resolve(null);
    }, waitMs);
    const onMessage = (data: Buffer): void => {
      clearTimeout(timer);
      // Pyro4 reads at most 100 bytes of the reply.
      resolve(data.subarray(0, 100).toString("latin1"));
    };
    socket.once("message", onMessage);
  });
}
