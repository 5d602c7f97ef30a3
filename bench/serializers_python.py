"""The Python side of the `serializers` benchmark: Pyro4's own serializer layer
(`Pyro4.util.get_serializer(name).serializeData/deserializeData`) on the payloads SHAPES
builds, exactly as bench/serializer-shapes.ts builds them: `doc-1000` is the document of
docs performance.md, a dict of 1000 entries 'key-NNNN' -> [int, float, str, [str, str, str],
[int, int, int]]; the others are shapes common in calls.

It stays up for the whole part and answers one JSON request per stdin line, so that each of
its rounds runs right next to pyrogen's:
  {"shape": SHAPE, "name": NAME, "op": "payload"} -> {"size": bytes, "payload": base64}
  {"shape": SHAPE, "name": NAME, "op": "encode" | "decode"} -> {"seconds": CPU s per payload}
A round times, with time.process_time, enough iterations to last about 0.2 s (the count is
calibrated on the first request for a shape, serializer and operation). The process ends at
the end of stdin.
"""
import base64
import json
import sys
import time

import Pyro4.util

ROUND_SECONDS = 0.2


def document():
    return {
        "key-%04d" % i: [i, i + 0.5, "value %d" % i, ["a%d" % i, "b%d" % i, "c%d" % i], [i, i * 2, i * 3]]
        for i in range(1000)
    }


def records():
    return [{"id": i, "name": "user%d" % i, "email": "user%d@example.com" % i, "score": i * 0.5,
             "active": i % 2 == 0} for i in range(200)]


SHAPES = {
    "doc-1000": document,
    "records-200": records,
    "text-10KiB": lambda: "".join(
        "it's line {:03d} of ten kibibytes of text".format(i).ljust(79, ".") + "\n"
        for i in range(128)),
    "unicode-5k": lambda: ("Grüße aus Köln, 東京からこんにちは — ça va? " * 300)[:5000],
    "floats-1k": lambda: [i * 1.1 + 0.25 for i in range(1000)],
    "bigints-200": lambda: [2 ** 40 + i * 7919 for i in range(200)],
    "strlist-1k": lambda: ["item-%d" % i for i in range(1000)],
}


def calibrate(fn):
    """How many calls last about ROUND_SECONDS."""
    fn()
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    return max(1, int(ROUND_SECONDS / once))


def one_round(fn, iterations):
    start = time.process_time()
    for _ in range(iterations):
        fn()
    return (time.process_time() - start) / iterations


def main():
    iterations = {}
    for line in sys.stdin:
        request = json.loads(line)
        shape, name, op = request["shape"], request["name"], request["op"]
        doc = SHAPES[shape]()
        serializer = Pyro4.util.get_serializer(name)
        payload, _ = serializer.serializeData(doc)
        if op == "payload":
            assert serializer.deserializeData(payload) == doc
            reply = {"size": len(payload), "payload": base64.b64encode(payload).decode("ascii")}
        else:
            if op == "encode":
                fn = lambda: serializer.serializeData(doc)
            else:
                fn = lambda: serializer.deserializeData(payload)
            key = (shape, name, op)
            if key not in iterations:
                iterations[key] = calibrate(fn)
            reply = {"seconds": one_round(fn, iterations[key])}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
