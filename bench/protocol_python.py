"""The Python side of the `protocol` benchmark: Pyro4's own message framing.

usage: protocol_python.py
Prints one JSON line: {"encode_us": [...], "decode_us": [...]}, 5 rounds each of µs per
message for `Message(...).to_bytes()` of a small json INVOKE and `Message.recv()` of a small
RESULT with a CORR annotation from an in-memory connection (no socket: framing cost only).
"""
import json
import time

from Pyro4.message import Message

ROUNDS = 5
ROUND_SECONDS = 0.2
INVOKE = json.dumps(
    {"object": "protocol.test", "method": "echo", "params": ["hello, pyro"], "kwargs": {}}
).encode()
RESULT = Message(5, b'"hello, pyro"', 2, 0, 1, {"CORR": bytes(16)}).to_bytes()


class Bytes(object):
    """The part of a Pyro connection that Message.recv uses."""

    def __init__(self, data):
        self.data = data
        self.pos = 0

    def recv(self, size):
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk


def per_call_us(fn):
    fn()
    start = time.perf_counter()
    for _ in range(1000):
        fn()
    once = (time.perf_counter() - start) / 1000
    iterations = max(1, int(ROUND_SECONDS / max(once, 1e-9)))
    rounds = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(iterations):
            fn()
        rounds.append((time.perf_counter() - start) / iterations * 1e6)
    return rounds


def main():
    encode = per_call_us(lambda: Message(4, INVOKE, 2, 0, 1).to_bytes())
    decode = per_call_us(lambda: Message.recv(Bytes(RESULT), [5]))
    print(json.dumps({"encode_us": encode, "decode_us": decode}))


if __name__ == "__main__":
    main()
