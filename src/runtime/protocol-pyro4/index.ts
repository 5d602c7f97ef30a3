/**
 * Pyro4's wire protocol, version 48 (Pyro4 4.38 through 4.82): the `WireProtocol` every
 * proxy and daemon of pyrogen speaks today. Each part lives in a module of its own.
 */
import type { WireProtocol } from "../protocol/wire-protocol.js";
import { pyro4Calls } from "./calls.js";
import { PROTOCOL_VERSION, Pyro4Flag } from "./constants.js";
import { pyro4Dialect } from "./dialect.js";
import { pyro4Frames } from "./frames.js";
import { pyro4Handshake } from "./handshake.js";
import { pyro4SerializerIds } from "./serializer-ids.js";

/** Pyro4's wire protocol (48). */
export const pyro4: WireProtocol = Object.freeze({
  name: "Pyro4",
  generation: 4,
  version: PROTOCOL_VERSION,
  signs: true,
  frames: pyro4Frames,
  flags: Pyro4Flag,
  serializers: pyro4SerializerIds,
  handshake: pyro4Handshake,
  calls: pyro4Calls,
  dialect: pyro4Dialect,
});
