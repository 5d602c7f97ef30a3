"""The Python side of the `calls-advanced` benchmark: Pyro4's own client on the same daemon.

usage: calls_advanced_client.py URI SERIALIZER CASE COUNT NS_HOST NS_PORT
  CASE batch-10k        one batch of COUNT echo(i) calls          -> ms per batch
       iterator         COUNT items of the remote generator gen()  -> items/s
       oneway           COUNT oneway bump() calls (send rate)      -> calls/s
       ns-lookup        COUNT lookup('adv.main') on a bound proxy  -> ms per lookup
       ns-lookup-fresh  COUNT times locateNS(host, port) + lookup  -> ms per lookup
Prints one JSON line {"value": ..., "cpu_us": ...}: the medians of 3 rounds after 3 warm-up
rounds (as the pyrogen side, whose V8 still compiles during the first rounds); cpu_us is the process CPU time (time.process_time) over the same timed region, per
call, item or lookup.
"""
import json
import statistics
import sys
import time

import Pyro4

WARMUP_ROUNDS = 3  # as bench/parts/calls-advanced.ts


def batch_10k(uri, count, _ns):
    with Pyro4.Proxy(uri) as proxy:
        def run():
            batch = Pyro4.batch(proxy)
            for i in range(count):
                batch.echo(i)
            t0, c0 = clocks()
            results = list(batch())
            elapsed, cpu = since(t0, c0)
            assert len(results) == count
            return elapsed * 1000, cpu * 1e6 / count
        return rounds(run)


def iterator(uri, count, _ns):
    with Pyro4.Proxy(uri) as proxy:
        def run():
            t0, c0 = clocks()
            n = sum(1 for _ in proxy.gen(count))
            elapsed, cpu = since(t0, c0)
            assert n == count
            return count / elapsed, cpu * 1e6 / count
        return rounds(run)


def oneway(uri, count, _ns):
    with Pyro4.Proxy(uri) as proxy:
        def run():
            t0, c0 = clocks()
            for _ in range(count):
                proxy.bump()
            elapsed, cpu = since(t0, c0)
            proxy.bumps()  # let the daemon catch up before the next round
            return count / elapsed, cpu * 1e6 / count
        return rounds(run)


def ns_lookup(_uri, count, ns):
    with Pyro4.locateNS(ns[0], ns[1]) as nameserver:
        def run():
            t0, c0 = clocks()
            for _ in range(count):
                nameserver.lookup("adv.main")
            elapsed, cpu = since(t0, c0)
            return elapsed * 1000 / count, cpu * 1e6 / count
        return rounds(run)


def ns_lookup_fresh(_uri, count, ns):
    def run():
        t0, c0 = clocks()
        for _ in range(count):
            with Pyro4.locateNS(ns[0], ns[1]) as nameserver:
                nameserver.lookup("adv.main")
        elapsed, cpu = since(t0, c0)
        return elapsed * 1000 / count, cpu * 1e6 / count
    return rounds(run)


def clocks():
    return time.perf_counter(), time.process_time()


def since(t0, c0):
    """Wall seconds and CPU seconds since clocks() gave t0, c0."""
    return time.perf_counter() - t0, time.process_time() - c0


def rounds(run):
    """Warm-up rounds, then the medians of 3: (figure, cpu_us)."""
    for _ in range(WARMUP_ROUNDS):
        run()
    results = [run() for _ in range(3)]
    return (statistics.median(r[0] for r in results),
            statistics.median(r[1] for r in results))


CASES = {"batch-10k": batch_10k, "iterator": iterator, "oneway": oneway,
         "ns-lookup": ns_lookup, "ns-lookup-fresh": ns_lookup_fresh}


def main():
    uri, serializer, case, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    ns = (sys.argv[5], int(sys.argv[6]))
    Pyro4.config.SERIALIZER = serializer
    try:
        value, cpu_us = CASES[case](uri, count, ns)
    except Exception as error:  # e.g. marshal batches fail in the Python client
        print(json.dumps({"value": None, "cpu_us": None, "error": repr(error)}), flush=True)
        return
    print(json.dumps({"value": value, "cpu_us": cpu_us}), flush=True)


if __name__ == "__main__":
    main()
