"""The Python side of the `serializers` benchmark: Pyro4's own serializer layer
(`Pyro4.util.get_serializer(name).serializeData/deserializeData`) on the document of
docs performance.md: a dict of 1000 entries 'key-NNNN' -> [int, float, str, [str, str, str],
[int, int, int]].

It stays up for the whole part and answers one JSON request per stdin line, so that each of
its rounds runs right next to pyrogen's:
  {"name": NAME, "op": "payload"} -> {"size": bytes, "payload": base64}
  {"name": NAME, "op": "encode" | "decode"} -> {"seconds": CPU seconds per document}
A round times, with time.process_time, enough iterations to last about 0.2 s (the count is
calibrated on the first request for a serializer and operation). The process ends at the
end of stdin.
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
    doc = document()
    iterations = {}
    for line in sys.stdin:
        request = json.loads(line)
        name, op = request["name"], request["op"]
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
            key = (name, op)
            if key not in iterations:
                iterations[key] = calibrate(fn)
            reply = {"seconds": one_round(fn, iterations[key])}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
