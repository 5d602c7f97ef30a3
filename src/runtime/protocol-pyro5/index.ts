/**
 * Pyro5's wire protocol, version 502 (Pyro5 5.x), spelled out in docs/pyro5-protocol.md.
 * What differs from Pyro4 is here as data and small parts of its own (framing, flags,
 * serializer ids, CONNECT, class names); the INVOKE payload is Pyro4's, unchanged.
 */
import { pyro4Calls } from "../protocol-pyro4/calls.js";
import type { WireProtocol } from "../protocol/wire-protocol.js";
import { PROTOCOL_VERSION, Pyro5Flag } from "./constants.js";
import { pyro5Dialect } from "./dialect.js";
import { pyro5Frames } from "./frames.js";
import { pyro5Handshake } from "./handshake.js";
import { pyro5SerializerIds } from "./serializer-ids.js";

/** Pyro5's wire protocol (502). */
export const pyro5: WireProtocol = Object.freeze({
  name: "Pyro5",
  generation: 5,
  version: PROTOCOL_VERSION,
  signs: false,
  frames: pyro5Frames,
  flags: Pyro5Flag,
  serializers: pyro5SerializerIds,
  handshake: pyro5Handshake,
  calls: pyro4Calls,
  dialect: pyro5Dialect,
});
