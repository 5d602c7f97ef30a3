"""The Python side of the `serializers` benchmark: Pyro4's own serializer layer
(`Pyro4.util.get_serializer(name).serializeData/deserializeData`) on the document of
docs performance.md: a dict of 1000 entries 'key-NNNN' -> [int, float, str, [str, str, str],
[int, int, int]].

usage: serializers_python.py NAME...
Prints one JSON line: {NAME: {"size": bytes, "encode_s": [...], "decode_s": [...],
"payload": base64}, ...}; each list holds 5 rounds of CPU seconds per document, every round
timed with time.process_time over enough iterations to last about 0.2 s.
"""
import base64
import json
import sys
import time

import Pyro4.util

ROUNDS = 5
ROUND_SECONDS = 0.2


def document():
    return {
        "key-%04d" % i: [i, i + 0.5, "value %d" % i, ["a%d" % i, "b%d" % i, "c%d" % i], [i, i * 2, i * 3]]
        for i in range(1000)
    }


def per_call(fn):
    """Seconds per call: calibrate the iteration count, then the median-ready rounds."""
    fn()
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    iterations = max(1, int(ROUND_SECONDS / once))
    rounds = []
    for _ in range(ROUNDS):
        start = time.process_time()
        for _ in range(iterations):
            fn()
        rounds.append((time.process_time() - start) / iterations)
    return rounds


def main():
    doc = document()
    out = {}
    for name in sys.argv[1:]:
        serializer = Pyro4.util.get_serializer(name)
        payload, _ = serializer.serializeData(doc)
        assert serializer.deserializeData(payload) == doc
        out[name] = {
            "size": len(payload),
            "encode_s": per_call(lambda: serializer.serializeData(doc)),
            "decode_s": per_call(lambda: serializer.deserializeData(payload)),
            "payload": base64.b64encode(payload).decode("ascii"),
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
