/**
 * A proxy on its way out, described by its state: what a daemon's registered object (or a
 * proxy passed along) becomes before a class dict is chosen. Each registry turns it into
 * its generation's proxy class dict (the dialect registers that hook), so the same object
 * reaches a Pyro4 peer as `Pyro4.core.Proxy` and a Pyro5 peer as `Pyro5.client.Proxy`.
 */
import type { ProxyState } from "./wire-protocol.js";

/** A proxy to send; see the module comment. */
export class SentProxy {
  constructor(readonly state: ProxyState) {}
}
