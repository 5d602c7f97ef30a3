/**
 * The `Pyro.Daemon` object every daemon serves: metadata, ping, info, the list
 * of registered ids, and the item-stream calls Python iterators make.
 */
import { PyroError } from "../errors.js";
import { currentCall } from "./context.js";
import type { Exposure } from "./expose.js";
import { markerExceptionDict } from "./remote-exception.js";
import type { StreamTable } from "./streams.js";

/** The fixed object id of the daemon object. */
export const DAEMON_OBJECT_ID = "Pyro.Daemon";

/** The metadata dict Pyro sends: `{methods, oneway, attrs}`, always as lists here. */
export interface MetadataDict {
  methods: string[];
  oneway: string[];
  attrs: string[];
}

/** What the daemon object needs from its daemon. */
export interface DaemonObjectHost {
  /** The exposure of a registered object (this one included), or `undefined`. */
  exposureOf(objectId: string): Exposure | undefined;
  /** Every registered object id, `Pyro.Daemon` included. */
  registeredIds(): string[];
  /** The `info()` text. */
  describe(): string;
  readonly streams: StreamTable;
}

/** Thrown by `get_next_stream_item` at the end of a stream: Python's `StopIteration`. */
export class StreamEnd extends PyroError {
  constructor() {
    super("remote", "item stream ended", {
      remote: { type: "builtins.StopIteration", args: [], attributes: {}, traceback: null },
    });
  }
}

/** The metadata dict of an exposure, as lists. */
export function metadataDict(exposure: Exposure): MetadataDict {
  return {
    methods: [...exposure.methods],
    oneway: [...exposure.oneway],
    attrs: [...exposure.attrs.keys()],
  };
}

/** The `Pyro.Daemon` object; its methods are called with Python's names. */
export class DaemonObject {
  readonly #host: DaemonObjectHost;

  constructor(host: DaemonObjectHost) {
    this.#host = host;
  }

  /** What the daemon object exposes. */
  static readonly exposure: Exposure = {
    methods: new Set([
      "get_metadata",
      "ping",
      "info",
      "registered",
      "get_next_stream_item",
      "close_stream",
    ]),
    oneway: new Set(),
    attrs: new Map(),
    callbacks: new Set(),
  };

  /** `get_metadata(objectId, as_lists=False)`: always lists (Python accepts them for sets). */
  get_metadata(objectId: unknown): MetadataDict {
    const exposure = typeof objectId === "string" ? this.#host.exposureOf(objectId) : undefined;
    if (exposure === undefined) throw new PyroError("daemon", "unknown object");
    return metadataDict(exposure);
  }

  /** Do-nothing health check. */
  ping(): null {
    return null;
  }

  /** A description of the daemon, in Pyro's words. */
  info(): string {
    return this.#host.describe();
  }

  /** Every registered object id. */
  registered(): string[] {
    return this.#host.registeredIds();
  }

  /** The next item of a stream; `StopIteration` at its end. */
  async get_next_stream_item(streamId: unknown): Promise<unknown> {
    const owner = currentCall()?.connection ?? this;
    const step = await this.#host.streams.next(String(streamId), owner);
    if (step.done) throw new StreamEnd();
    return step.value;
  }

  /** Close a stream early; unknown ids are ignored. */
  async close_stream(streamId: unknown): Promise<null> {
    await this.#host.streams.close(String(streamId));
    return null;
  }
}

/** The payload of the RESULT that starts a stream (flags EXCEPTION|ITEMSTREAMRESULT). */
export function streamMarker(errorsModule: string): Record<string, unknown> {
  return markerExceptionDict(`${errorsModule}.ProtocolError`, ["result of call is an iterator"]);
}
