/**
 * The wire protocols pyrogen speaks, and the one proxies and daemons use unless told
 * otherwise. A new generation registers here (see docs/internals.md, "Wire protocols").
 */
import { pyro4 } from "./protocol-pyro4/index.js";
import type { WireProtocol } from "./protocol/wire-protocol.js";

/** Every protocol pyrogen speaks, oldest first. */
export const WIRE_PROTOCOLS: readonly WireProtocol[] = [pyro4];

/** The protocol of proxies and daemons. */
export const DEFAULT_PROTOCOL: WireProtocol = pyro4;
