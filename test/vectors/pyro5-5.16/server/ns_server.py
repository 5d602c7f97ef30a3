#!/usr/bin/python3
"""
Pyro5 5.16 name server for the wire captures, with broadcast responders on loopback.  Loopback only.

Usage (Pyro5 from ../shared/peers on PYTHONPATH):
  PYTHONPATH=<peers>/Pyro5-5.16 /usr/bin/python3 ns_server.py --port PORT --bcport BCPORT

Runs Pyro5's own NameServerDaemon on 127.0.0.1:PORT.  Pyro5 does not start a broadcast
responder for a name server bound to 127.x, so this starts Pyro5's own BroadcastServer
explicitly, bound to 127.0.0.1:BCPORT (answering with the name server's URI), plus a
second one on 127.0.0.1:BCPORT+1 that is given the URI with host 0.0.0.0 (to show the
responder substituting the interface address).  Prints "READY <uri>"; stops on SIGTERM.
"""
import argparse
import os
import signal
import sys

import Pyro5.core
import Pyro5.nameserver


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--bcport", type=int, required=True)
    args = ap.parse_args()
    uri, daemon, _ = Pyro5.nameserver.start_ns(host="127.0.0.1", port=args.port, enableBroadcast=False)
    responders = [
        Pyro5.nameserver.BroadcastServer(uri, bchost="127.0.0.1", bcport=args.bcport),
        Pyro5.nameserver.BroadcastServer(Pyro5.core.URI("PYRO:Pyro.NameServer@0.0.0.0:%d" % args.port),
                                         bchost="127.0.0.1", bcport=args.bcport + 1),
    ]
    for responder in responders:
        responder.runInThread()

    def on_signal(signum, frame):
        sys.stdout.flush()
        os._exit(0)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    print("READY %s" % uri, flush=True)
    daemon.requestLoop()


if __name__ == "__main__":
    main()
