"""The Python side of the `calls` and `daemon` benchmarks: Pyro4's own client (or, with
PYROGEN_GENERATION=5, Pyro5's against a Pyro5 daemon).

It stays up for the whole part, so that Python's start-up and imports are paid once and
each measurement sits right next to pyrogen's. One request per stdin line, as JSON:
  {"target": URI, "serializer": NAME, "case": CASE, "seconds": S, "count": N,
   "size": BYTES, "daemon_pid": PID}
CASE: small | str-10KiB | bytes-1MiB | connect | connect-first | raw-tcp (for raw-tcp, target
is host:port of the raw echo server, size the round trip's bytes, and serializer is ignored;
connect-first is connect without the warm-up, for a fresh process). A measurement makes
calls for S seconds (then as many as fit, at least one) or, given "count" instead, N calls;
after a warm-up of WARMUP_SECONDS (none for connect-first). One JSON line answers each
request: {"calls": N, "calls_per_s": ..., "cpu_us_per_call": ...}, CPU being this process's
time.process_time(). With daemon_pid (optional), the reply also has
"daemon_cpu_us_per_call": that process's CPU time over the same timed calls
(bench/process_cpu.py, the clock the Node side reads too). The process ends at the end of
stdin.
"""
import json
import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
from pyro_peer import GENERATION  # noqa: E402,F401 -- first: under Pyro5 it provides Pyro4's names

import Pyro4  # noqa: E402

from process_cpu import process_cpu_ns

SMALL = "hello, pyro"
PAYLOADS = {"small": SMALL, "str-10KiB": "x" * 10240, "bytes-1MiB": b"\x01" * (1 << 20)}
WARMUP_SECONDS = 0.05


def repeat(fn, seconds=None, count=None):
    """Call fn for `seconds` (at least once) or `count` times; return how many calls."""
    if count is not None:
        for _ in range(count):
            fn()
        return count
    calls = 0
    end = time.perf_counter() + seconds
    while calls == 0 or time.perf_counter() < end:
        fn()
        calls += 1
    return calls


def measure(fn, request, warmup=True):
    if warmup:
        repeat(fn, seconds=WARMUP_SECONDS)
    daemon_pid = request.get("daemon_pid")
    daemon0 = process_cpu_ns(daemon_pid) if daemon_pid else 0
    wall0, cpu0 = time.perf_counter(), time.process_time()
    calls = repeat(fn, request.get("seconds"), request.get("count"))
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    result = {"calls": calls, "calls_per_s": calls / wall, "cpu_us_per_call": cpu * 1e6 / calls}
    if daemon_pid:
        result["daemon_cpu_us_per_call"] = (process_cpu_ns(daemon_pid) - daemon0) / 1e3 / calls
    return result


def raw_tcp(request):
    host, port = request["target"].rsplit(":", 1)
    sock = socket.create_connection((host, int(port)))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    size = request["size"]
    message = b"x" * size

    def round_trip():
        sock.sendall(message)
        got = 0
        while got < size:
            got += len(sock.recv(size - got))

    try:
        return measure(round_trip, request)
    finally:
        sock.close()


def run(request):
    case = request["case"]
    if case == "raw-tcp":
        return raw_tcp(request)
    Pyro4.config.SERIALIZER = request["serializer"]
    target = request["target"]
    if case in ("connect", "connect-first"):
        def connect_call():
            with Pyro4.Proxy(target) as proxy:
                proxy.echo(SMALL)
        return measure(connect_call, request, warmup=case == "connect")
    payload = PAYLOADS[case]
    with Pyro4.Proxy(target) as proxy:
        return measure(lambda: proxy.echo(payload), request)


def main():
    for line in sys.stdin:
        print(json.dumps(run(json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
