/**
 * Wire logging (Pyro's `LOGWIRE` item): one line per message a proxy or the daemon sends or
 * receives, for debugging a conversation with a daemon. Payloads are not logged, only their
 * size: they may hold anything the application sends.
 *
 * A line reads `pyro-wire <sent|received> <peer> <TYPE> seq=<n> ser=<id> flags=0x<hex>
 * size=<payload bytes>[ annotations=<KEY,KEY>]`, e.g.
 * `pyro-wire sent 127.0.0.1:9090 INVOKE seq=2 ser=4 flags=0x0 size=87`.
 */
import { MessageType } from "./constants.js";
import type { Message } from "./message.js";

/** Called with every message sent or received; `peer` names the other end. */
export type WireLogger = (direction: "sent" | "received", peer: string, msg: Message) => void;

const TYPE_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(MessageType).map(([name, type]) => [type, name]),
);

/** The log line for one message (see the module comment), without a line break. */
export function formatWireLine(direction: "sent" | "received", peer: string, msg: Message): string {
  const type = TYPE_NAMES.get(msg.type) ?? `type${msg.type}`;
  const keys = [...msg.annotations.keys()];
  return (
    `pyro-wire ${direction} ${peer} ${type} seq=${msg.seq} ser=${msg.serializerId} ` +
    `flags=0x${msg.flags.toString(16)} size=${msg.data.length}` +
    (keys.length > 0 ? ` annotations=${keys.join(",")}` : "")
  );
}

/** The logger `LOGWIRE` turns on: each line to the process's standard error. */
export const stderrWireLogger: WireLogger = (direction, peer, msg) => {
  process.stderr.write(`${formatWireLine(direction, peer, msg)}\n`);
};
