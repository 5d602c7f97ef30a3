/**
 * What one client connection of the daemon needs from its daemon: settings, serializers,
 * registered objects and the hooks it reports to (client-connection.ts is the connection).
 */
import type { WireLogger } from "../protocol/wire-log.js";
import type { WireProtocol } from "../protocol/wire-protocol.js";
import type { Serializer } from "../serializers/serializer.js";
import type { DaemonHandshakeValidator, DaemonLogger } from "./daemon-options.js";
import type { Registered } from "./dispatch.js";
import type { StreamTable } from "./streams.js";

/** What a connection needs from its daemon. */
export interface ConnectionHost<Connection> {
  /**
   * The wire protocol of a client whose first bytes name no protocol pyrogen speaks (it is
   * answered in this one); the others are served in their own.
   */
  readonly protocol: WireProtocol;
  readonly hmacKey: Uint8Array | undefined;
  readonly maxMessageSize: number;
  /** The most a compressed request may inflate to, 0 = no limit. */
  readonly inflateLimit: number;
  /** Close a connection idle (or whose replies make no progress) this long, in ms; 0 = never. */
  readonly timeoutMs: number;
  readonly compress: boolean;
  readonly itemStreaming: boolean;
  /** Keep `currentCall()` available after `await`s (AsyncLocalStorage). */
  readonly asyncCallContext: boolean;
  readonly streams: StreamTable;
  readonly validateHandshake: DaemonHandshakeValidator;
  readonly log: DaemonLogger;
  /** Log every message received and sent (LOGWIRE), or `undefined`. */
  readonly wireLog: WireLogger | undefined;
  /** The serializer for a wire id of `protocol` if the daemon accepts it, else `undefined`. */
  acceptedSerializer(id: number, protocol: WireProtocol): Serializer | undefined;
  /** A serializer for a wire id of `protocol` (accepted or not), for error replies. */
  anySerializer(id: number, protocol: WireProtocol): Serializer | undefined;
  lookup(objectId: string): Registered | undefined;
  /** The connection closed. */
  closed(connection: Connection): void;
}
