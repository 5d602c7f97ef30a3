"""The Python side of the `calls` benchmark: Pyro4's own client against the bench daemon.

usage: calls_client.py URI SERIALIZER CASE COUNT   (CASE: small | str-10KiB | bytes-1MiB |
       connect | raw-tcp; for raw-tcp, URI is host:port of the raw echo server and
       SERIALIZER is ignored)
Prints one JSON line: {"calls_per_s": ..., "cpu_us_per_call": ...} measured over COUNT
calls after a short warm-up. CPU is this process's time.process_time().
"""
import json
import socket
import sys
import time

import Pyro4

SMALL = "hello, pyro"
PAYLOADS = {"small": SMALL, "str-10KiB": "x" * 10240, "bytes-1MiB": b"\x01" * (1 << 20)}
RAW_SIZE = 100


def measure(count, fn):
    fn()
    fn()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for _ in range(count):
        fn()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return {"calls_per_s": count / wall, "cpu_us_per_call": cpu * 1e6 / count}


def raw_tcp(address, count):
    host, port = address.rsplit(":", 1)
    sock = socket.create_connection((host, int(port)))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    message = b"x" * RAW_SIZE

    def round_trip():
        sock.sendall(message)
        got = 0
        while got < RAW_SIZE:
            got += len(sock.recv(RAW_SIZE - got))

    try:
        return measure(count, round_trip)
    finally:
        sock.close()


def main():
    uri, serializer, case, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    if case == "raw-tcp":
        result = raw_tcp(uri, count)
    else:
        Pyro4.config.SERIALIZER = serializer
        if case == "connect":
            def connect_call():
                with Pyro4.Proxy(uri) as proxy:
                    proxy.echo(SMALL)
            result = measure(count, connect_call)
        else:
            payload = PAYLOADS[case]
            with Pyro4.Proxy(uri) as proxy:
                result = measure(count, lambda: proxy.echo(payload))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
