"""The Python side of the `calls` benchmark: Pyro4's own client against the bench daemon (or,
with PYROGEN_GENERATION=5, Pyro5's against a Pyro5 one).

It stays up for the whole part, so that Python's start-up and imports are paid once and
each measurement sits right next to pyrogen's. One request per stdin line, as JSON:
  {"target": URI, "serializer": NAME, "case": CASE, "count": N, "size": BYTES}
CASE: small | str-10KiB | bytes-1MiB | connect | connect-first | raw-tcp (for raw-tcp, target
is host:port of the raw echo server, size the round trip's bytes, and serializer is ignored;
connect-first is connect without the warm-up, for a fresh process). One JSON line answers
each request: {"calls_per_s": ..., "cpu_us_per_call": ...} over N calls after a short
warm-up, CPU being this process's time.process_time(). The process ends at the end of stdin.
"""
import json
import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
from pyro_peer import GENERATION  # noqa: E402,F401 -- first: under Pyro5 it provides Pyro4's names

import Pyro4  # noqa: E402

SMALL = "hello, pyro"
PAYLOADS = {"small": SMALL, "str-10KiB": "x" * 10240, "bytes-1MiB": b"\x01" * (1 << 20)}
WARMUP = 20


def measure(count, fn, warmup=WARMUP):
    for _ in range(min(count, warmup)):
        fn()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for _ in range(count):
        fn()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return {"calls_per_s": count / wall, "cpu_us_per_call": cpu * 1e6 / count}


def raw_tcp(address, count, size):
    host, port = address.rsplit(":", 1)
    sock = socket.create_connection((host, int(port)))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    message = b"x" * size

    def round_trip():
        sock.sendall(message)
        got = 0
        while got < size:
            got += len(sock.recv(size - got))

    try:
        return measure(count, round_trip)
    finally:
        sock.close()


def run(target, serializer, case, count, size):
    if case == "raw-tcp":
        return raw_tcp(target, count, size)
    Pyro4.config.SERIALIZER = serializer
    if case in ("connect", "connect-first"):
        def connect_call():
            with Pyro4.Proxy(target) as proxy:
                proxy.echo(SMALL)
        return measure(count, connect_call, WARMUP if case == "connect" else 0)
    payload = PAYLOADS[case]
    with Pyro4.Proxy(target) as proxy:
        return measure(count, lambda: proxy.echo(payload))


def main():
    for line in sys.stdin:
        request = json.loads(line)
        result = run(request["target"], request["serializer"], request["case"], request["count"],
                     request.get("size", 0))
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
