"""The Python side of the `calls-advanced` benchmark: Pyro4's own client on the same daemon.

usage: calls_advanced_client.py URI SERIALIZER CASE COUNT NS_HOST NS_PORT
  CASE batch-10k        one batch of COUNT echo(i) calls          -> ms per batch
       iterator         COUNT items of the remote generator gen()  -> items/s
       oneway           COUNT oneway bump() calls (send rate)      -> calls/s
       ns-lookup        COUNT lookup('adv.main') on a bound proxy  -> ms per lookup
       ns-lookup-fresh  COUNT times locateNS(host, port) + lookup  -> ms per lookup
Prints one JSON line {"value": ...}: the median of 3 rounds after a warm-up round.
"""
import json
import statistics
import sys
import time

import Pyro4


def batch_10k(uri, count, _ns):
    with Pyro4.Proxy(uri) as proxy:
        def run():
            batch = Pyro4.batch(proxy)
            for i in range(count):
                batch.echo(i)
            t0 = time.perf_counter()
            results = list(batch())
            elapsed = time.perf_counter() - t0
            assert len(results) == count
            return elapsed * 1000
        return rounds(run)


def iterator(uri, count, _ns):
    with Pyro4.Proxy(uri) as proxy:
        def run():
            t0 = time.perf_counter()
            n = sum(1 for _ in proxy.gen(count))
            elapsed = time.perf_counter() - t0
            assert n == count
            return count / elapsed
        return rounds(run)


def oneway(uri, count, _ns):
    with Pyro4.Proxy(uri) as proxy:
        def run():
            t0 = time.perf_counter()
            for _ in range(count):
                proxy.bump()
            elapsed = time.perf_counter() - t0
            proxy.bumps()  # let the daemon catch up before the next round
            return count / elapsed
        return rounds(run)


def ns_lookup(_uri, count, ns):
    with Pyro4.locateNS(ns[0], ns[1]) as nameserver:
        def run():
            t0 = time.perf_counter()
            for _ in range(count):
                nameserver.lookup("adv.main")
            return (time.perf_counter() - t0) * 1000 / count
        return rounds(run)


def ns_lookup_fresh(_uri, count, ns):
    def run():
        t0 = time.perf_counter()
        for _ in range(count):
            with Pyro4.locateNS(ns[0], ns[1]) as nameserver:
                nameserver.lookup("adv.main")
        return (time.perf_counter() - t0) * 1000 / count
    return rounds(run)


def rounds(run):
    run()
    return statistics.median(run() for _ in range(3))


CASES = {"batch-10k": batch_10k, "iterator": iterator, "oneway": oneway,
         "ns-lookup": ns_lookup, "ns-lookup-fresh": ns_lookup_fresh}


def main():
    uri, serializer, case, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    ns = (sys.argv[5], int(sys.argv[6]))
    Pyro4.config.SERIALIZER = serializer
    try:
        value = CASES[case](uri, count, ns)
    except Exception as error:  # e.g. marshal batches fail in the Python client
        print(json.dumps({"value": None, "error": repr(error)}), flush=True)
        return
    print(json.dumps({"value": value}), flush=True)


if __name__ == "__main__":
    main()
