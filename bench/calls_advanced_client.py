"""The Python side of the `calls-advanced` benchmark: Pyro4's own client on the same daemon (or,
with PYROGEN_GENERATION=5, Pyro5's on a Pyro5 daemon and name server).

It stays up for the whole part and answers one JSON request per stdin line, so that each
round is measured right next to pyrogen's:
  {"op": "open", "case": CASE, "uri": URI, "serializer": NAME, "count": N,
   "ns": [HOST, PORT]}                                   -> {"ok": true} or {"error": ...}
  {"op": "round"}   one round of the open case            -> {"value": ..., "cpu_us": ...}
  {"op": "close"}   release the case's proxies            -> {"ok": true}
  CASE batch-10k        one batch of COUNT echo(i) calls          -> ms per batch
       burst-10         COUNT times echo(0) .. echo(9) in turn     -> ms per 10 calls
                        (a proxy serves concurrent callers one at a time)
       text-10KiB       COUNT echo(MULTILINE_TEXT) calls          -> calls/s
       text-1MiB        COUNT echo(LARGE_TEXT) calls              -> calls/s
       iterator         COUNT items of the remote generator gen()  -> items/s
       oneway           COUNT oneway bump() calls (send rate)      -> calls/s
       ns-lookup        COUNT lookup('adv.main') on a bound proxy  -> ms per lookup
       ns-lookup-fresh  COUNT times locateNS(host, port) + lookup  -> ms per lookup
cpu_us is the process CPU time (time.process_time) over the same timed region, per call,
item or lookup. A case keeps its proxy across rounds, as pyrogen's side does. A failure
(e.g. marshal batches, which Pyro4's own client cannot send) answers {"error": ...}.
The process ends at the end of stdin.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
from pyro_peer import GENERATION  # noqa: E402,F401 -- first: under Pyro5 it provides Pyro4's names

import Pyro4  # noqa: E402


def batch_10k(uri, count, _ns):
    proxy = Pyro4.Proxy(uri)

    def run():
        batch = Pyro4.batch(proxy)
        for i in range(count):
            batch.echo(i)
        t0, c0 = clocks()
        results = list(batch())
        elapsed, cpu = since(t0, c0)
        assert len(results) == count
        return elapsed * 1000, cpu * 1e6 / count
    return run, proxy._pyroRelease


def burst_10(uri, count, _ns):
    proxy = Pyro4.Proxy(uri)

    def run():
        t0, c0 = clocks()
        for _ in range(count):
            results = [proxy.echo(i) for i in range(10)]
        elapsed, cpu = since(t0, c0)
        assert results == list(range(10))
        return elapsed * 1000 / count, cpu * 1e6 / (count * 10)
    return run, proxy._pyroRelease


# The same text as MULTILINE_TEXT in bench/parts/calls-advanced.ts.
MULTILINE_TEXT = "".join(
    "it's line {:03d} of ten kibibytes of text".format(i).ljust(79, ".") + "\n" for i in range(128))


# The same text as LARGE_TEXT there: MULTILINE_TEXT over and over, cut at 1 MiB.
LARGE_TEXT = (MULTILINE_TEXT * 103)[:1 << 20]


def text_echo(text):
    """A case of echo(text) calls, in calls/s."""
    def open_case(uri, count, _ns):
        proxy = Pyro4.Proxy(uri)

        def run():
            t0, c0 = clocks()
            for _ in range(count):
                result = proxy.echo(text)
            elapsed, cpu = since(t0, c0)
            assert result == text
            return count / elapsed, cpu * 1e6 / count
        return run, proxy._pyroRelease
    return open_case


def iterator(uri, count, _ns):
    proxy = Pyro4.Proxy(uri)

    def run():
        t0, c0 = clocks()
        n = sum(1 for _ in proxy.gen(count))
        elapsed, cpu = since(t0, c0)
        assert n == count
        return count / elapsed, cpu * 1e6 / count
    return run, proxy._pyroRelease


def oneway(uri, count, _ns):
    proxy = Pyro4.Proxy(uri)

    def run():
        t0, c0 = clocks()
        for _ in range(count):
            proxy.bump()
        elapsed, cpu = since(t0, c0)
        proxy.bumps()  # let the daemon catch up before the next round
        return count / elapsed, cpu * 1e6 / count
    return run, proxy._pyroRelease


def ns_lookup(_uri, count, ns):
    nameserver = Pyro4.locateNS(ns[0], ns[1])

    def run():
        t0, c0 = clocks()
        for _ in range(count):
            nameserver.lookup("adv.main")
        elapsed, cpu = since(t0, c0)
        return elapsed * 1000 / count, cpu * 1e6 / count
    return run, nameserver._pyroRelease


def ns_lookup_fresh(_uri, count, ns):
    def run():
        t0, c0 = clocks()
        for _ in range(count):
            with Pyro4.locateNS(ns[0], ns[1]) as nameserver:
                nameserver.lookup("adv.main")
        elapsed, cpu = since(t0, c0)
        return elapsed * 1000 / count, cpu * 1e6 / count
    return run, lambda: None


def clocks():
    return time.perf_counter(), time.process_time()


def since(t0, c0):
    """Wall seconds and CPU seconds since clocks() gave t0, c0."""
    return time.perf_counter() - t0, time.process_time() - c0


CASES = {"batch-10k": batch_10k, "burst-10": burst_10, "text-10KiB": text_echo(MULTILINE_TEXT),
         "text-1MiB": text_echo(LARGE_TEXT),
         "iterator": iterator, "oneway": oneway, "ns-lookup": ns_lookup,
         "ns-lookup-fresh": ns_lookup_fresh}


def answer(request, session):
    """Carry out one request; return the reply and the open case's (run, close), if any."""
    op = request["op"]
    if op == "open":
        Pyro4.config.SERIALIZER = request["serializer"]
        ns = (request["ns"][0], int(request["ns"][1]))
        return {"ok": True}, CASES[request["case"]](request["uri"], request["count"], ns)
    if op == "round":
        value, cpu_us = session[0]()
        return {"value": value, "cpu_us": cpu_us}, session
    session[1]()
    return {"ok": True}, None


def main():
    session = None
    for line in sys.stdin:
        try:
            reply, session = answer(json.loads(line), session)
        except Exception as error:  # e.g. marshal batches fail in the Python client
            reply = {"error": repr(error)}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
