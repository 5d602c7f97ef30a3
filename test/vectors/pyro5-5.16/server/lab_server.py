#!/usr/bin/python3
"""
Pyro5 5.16 lab server for the wire captures in test/vectors/pyro5-5.16.  Loopback only.

Usage (Pyro5 from ../shared/peers on PYTHONPATH):
  PYTHONPATH=<peers>/Pyro5-5.16 /usr/bin/python3 lab_server.py --port PORT [--object lab]

Binds a Pyro5 daemon (thread-pool server) on 127.0.0.1:PORT and registers one Lab
object under a fixed object id (default "lab"), so URIs are predictable.  Pyro5
settings come from PYRO_* environment variables (e.g. PYRO_COMPRESSION=true).
Prints "READY <uri>" once it accepts connections; stops on SIGTERM/SIGINT.
"""
import argparse
import datetime
import decimal
import os
import signal
import sys
import threading
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import Pyro5.api  # noqa: E402
import Pyro5.core  # noqa: E402
import Pyro5.errors  # noqa: E402
from Pyro5.api import current_context, expose, oneway  # noqa: E402
import lab_types  # noqa: E402


class MainError(Exception):
    """Defined in the script itself: its class name is '__main__.MainError'."""


def type_matrix():
    """The values that `one(name)` returns, by name."""
    return {
        "none": None,
        "bool": True,
        "int": 42,
        "neg_int": -5,
        "int64_max": 2 ** 63 - 1,
        "uint64_max": 2 ** 64 - 1,
        "bigint": 2 ** 100,
        "neg_bigint": -(2 ** 70),
        "float": 1.5,
        "float_integral": 3.0,
        "inf": float("inf"),
        "neg_inf": float("-inf"),
        "nan": float("nan"),
        "complex": complex(1.5, -2.5),
        "str": "h\u00e9llo \u20ac \U0001F600 'q' \"dq\" \\ \n\t\x01",
        "bytes": b"\x00\x01\x02\xff",
        "bytearray": bytearray(b"abc"),
        "list": [1, "two", None],
        "empty_list": [],
        "tuple": (1, "two", 3.0),
        "tuple1": (1,),
        "empty_tuple": (),
        "set": {1, 2, 3},
        "empty_set": set(),
        "frozenset": frozenset({"a"}),
        "dict": {"a": 1, "b": [2, 3]},
        "int_keys": {1: "one", 2: "two"},
        "tuple_keys": {(1, 2): "t"},
        "nested": {"a": [{"b": (1, {2})}]},
        "datetime": datetime.datetime(2023, 4, 5, 6, 7, 8, 123456),
        "date": datetime.date(2023, 4, 5),
        "time": datetime.time(6, 7, 8, 123),
        "timedelta": datetime.timedelta(days=1, seconds=2.5),
        "decimal": decimal.Decimal("3.14159265358979323846"),
        "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "point": lab_types.Point(1, 2),
        "slotted": lab_types.Slotted(1, "b"),
        "uri": Pyro5.core.URI("PYRO:someobject@127.0.0.1:1234"),
        "uri_pyroname": Pyro5.core.URI("PYRONAME:some.name@127.0.0.1:9090"),
        "exception_value": ValueError("returned, not raised"),
    }


@expose
class Lab(object):
    def __init__(self):
        self._value = 42
        self._fired = []
        self._lock = threading.Lock()

    # --- plain calls ---------------------------------------------------------
    def echo(self, value):
        return value

    def add(self, a, b):
        return a + b

    def kwargs_call(self, a, b=2, **kw):
        return {"a": a, "b": b, "kw": kw}

    def describe(self, *args, **kwargs):
        """How the arguments arrived in Python: [type, repr] per argument."""
        def one(v):
            t = type(v)
            return [t.__module__ + "." + t.__qualname__, repr(v)]
        return {"args": [one(a) for a in args], "kwargs": {k: one(v) for k, v in kwargs.items()}}

    def one(self, name):
        return type_matrix()[name]

    def names(self):
        return sorted(type_matrix())

    # --- errors --------------------------------------------------------------
    def fail(self):
        raise ValueError("bad value", 42)

    def fail_custom(self):
        raise lab_types.LabError("custom exception class")

    def fail_main(self):
        raise MainError("defined in __main__")

    def fail_pyro(self):
        raise Pyro5.errors.NamingError("a Pyro5 error")

    def _private(self):
        return "never reachable"

    def __dunder__(self):
        return "dunder reachable"

    # --- streaming -----------------------------------------------------------
    def gen(self, n):
        for i in range(n):
            yield i

    def gen_fail(self, n):
        for i in range(n):
            yield i
        raise ValueError("generator failed after %d items" % n)

    def lazy_keys(self):
        return {"a": 1}.keys()

    def keys_iterator(self):
        return iter({"a": 1, "b": 2}.keys())

    # --- oneway --------------------------------------------------------------
    @oneway
    def fire(self, value):
        with self._lock:
            self._fired.append(value)

    def fired(self):
        with self._lock:
            return list(self._fired)

    # --- attributes ----------------------------------------------------------
    @property
    def value(self):
        return self._value

    @value.setter
    def value(self, v):
        self._value = v

    @property
    def readonly(self):
        return "read only"

    # --- Pyro objects as values ----------------------------------------------
    def make_child(self):
        child = lab_types.Child()
        self._pyroDaemon.register(child)
        return child

    def uri(self):
        return self._pyroDaemon.uriFor(self)

    def daemon_object(self):
        return self._pyroDaemon

    # --- context ---------------------------------------------------------------
    def annotated(self):
        """Echo the request's annotations back as response annotations (key 'ECHO' + original)."""
        received = {k: bytes(v) for k, v in current_context.annotations.items()}
        for k, v in received.items():
            current_context.response_annotations[k] = v
        return sorted(received)

    def correlation(self):
        cid = current_context.correlation_id
        return None if cid is None else str(cid)

    def blob_info(self, blob):
        """Called with a SerializedBlob (KEEPSERIALIZED request): its info and its deserialized data."""
        return [type(blob).__module__ + "." + type(blob).__name__, blob.info, blob.deserialized()]

    def call_back(self, proxy, text):
        """Call receive(text) on a proxy the caller passed in (callback pattern)."""
        with proxy:
            return proxy.receive(text)


def validate_handshake(conn, data):
    """Installed on the daemon instance (a Daemon subclass would serialize as '__main__.<Name>')."""
    if data == "reject-me":
        raise ValueError("handshake refused: %r" % (data,))
    if isinstance(data, dict):
        return {"welcome": data}
    return "hello"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--object", default="lab")
    args = ap.parse_args()
    daemon = Pyro5.api.Daemon(host="127.0.0.1", port=args.port)
    daemon.validateHandshake = validate_handshake
    # The class, not an instance: instance mode "session" gives every connection a fresh Lab,
    # so one scenario's state (value, fired) never leaks into the next.
    uri = daemon.register(Lab, args.object)

    def on_signal(signum, frame):
        sys.stdout.flush()
        os._exit(0)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    print("READY %s" % uri, flush=True)
    daemon.requestLoop()


if __name__ == "__main__":
    main()
