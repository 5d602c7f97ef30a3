"""
Scenarios driven by the real Pyro5 5.16 Python client (Pyro5.api.Proxy), recorded by a relay
between it and the daemon: what a Pyro5 client sends, and what a Pyro5 daemon answers it.
"""
import datetime
import decimal
import uuid

import Pyro5.api
import Pyro5.core
import Pyro5.nameserver
from Pyro5.api import config, current_context

import lab_types
from recording import Relay
from store import describe_outcome

CLIENT = "pyro5-proxy"


def _proxy(port, serializer, object_id="lab"):
    proxy = Pyro5.api.Proxy("PYRO:%s@127.0.0.1:%d" % (object_id, port))
    proxy._pyroSerializer = serializer
    return proxy


def _with_relay(recorder, port, label, body):
    relay = Relay(recorder, port, label)
    try:
        body(relay.port)
    finally:
        relay.close()


def describe_values():
    """Arguments for lab.describe(), one call each: how each value arrives in a Pyro5 daemon."""
    return {
        "bigint": 2 ** 100,
        "neg_bigint": -(2 ** 70),
        "uint64_max": 2 ** 64 - 1,
        "float_integral": 3.0,
        "inf": float("inf"),
        "nan": float("nan"),
        "complex": complex(1.5, -2.5),
        "bytes": b"\x00\x01\x02\xff",
        "bytearray": bytearray(b"abc"),
        "tuple": (1, "two"),
        "set": {1, 2},
        "empty_set": set(),
        "frozenset": frozenset({"a"}),
        "int_keys": {1: "one"},
        "tuple_keys": {(1, 2): "t"},
        "datetime": datetime.datetime(2023, 4, 5, 6, 7, 8, 123456),
        "date": datetime.date(2023, 4, 5),
        "decimal": decimal.Decimal("3.14"),
        "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "uri": Pyro5.core.URI("PYRO:someobject@127.0.0.1:1234"),
        "proxy": Pyro5.api.Proxy("PYRO:someobject@127.0.0.1:1234"),
        "point": lab_types.Point(1, 2),
        "exception": ValueError("sent as an argument"),
    }


class Receiver:
    """The callback object the capture client serves to the lab daemon."""

    @Pyro5.api.expose
    def receive(self, text):
        return "callback got: " + text


def lab_scenarios(store, serializer, ports):
    """Calls on the lab object with the real Pyro5 client, per serializer."""
    lab = ports["lab"]

    def scenario(name, description, target="lab"):
        return store.scenario("%s/%s/%s" % (serializer, target, name), description, CLIENT, serializer, target)

    def simple(name, description, calls, target="lab", port=None, object_id="lab"):
        """One proxy; `calls` is a list of (label, fn(proxy)) run in order."""
        with scenario(name, description, target) as (rec, out):
            def body(relay_port):
                with _proxy(relay_port, serializer, object_id) as p:
                    for label, fn in calls:
                        out[label] = describe_outcome(lambda: fn(p))
            _with_relay(rec, port or lab, "client-daemon", body)

    simple("normal_call", "new proxy: CONNECT / CONNECTOK (with metadata); then echo('hello') twice",
           [("echo#1", lambda p: p.echo("hello")), ("echo#2", lambda p: p.echo("hello"))])
    simple("call_args_kwargs", "positional and keyword arguments: kwargs_call(1, b=3, extra='x')",
           [("kwargs_call", lambda p: p.kwargs_call(1, b=3, extra="x"))])
    value = [1, 2.5, None, True, "x\u00e9", (1, 2), {"k": "v"}, 2 ** 70, -1.5e-7]
    simple("echo_types", "echo of a list of basic values: %r" % (value,), [("echo", lambda p: p.echo(value))])
    with _proxy(lab, serializer) as direct:
        matrix_names = direct.names()
    simple("types_matrix", "lab.one(name) for every entry of the lab's type matrix (server -> client)",
           [(name, (lambda n: lambda p: p.one(n))(name)) for name in matrix_names])
    simple("describe_matrix", "lab.describe(value) per value: how each argument arrives in the daemon "
                              "(client -> server); the result lists [type, repr]",
           [(name, (lambda v: lambda p: p.describe(v))(v)) for name, v in describe_values().items()])
    simple("exception", "remote method raises ValueError('bad value', 42)", [("fail", lambda p: p.fail())])
    simple("exception_custom_class", "remote method raises lab_types.LabError (unknown to the client)",
           [("fail_custom", lambda p: p.fail_custom())])
    simple("exception_main_class", "remote method raises __main__.MainError (refused by the client)",
           [("fail_main", lambda p: p.fail_main())])
    simple("exception_pyro_class", "remote method raises Pyro5.errors.NamingError",
           [("fail_pyro", lambda p: p.fail_pyro())])

    def batch(p, oneway=False, fail=False):
        b = Pyro5.api.BatchProxy(p)
        b.echo(1)
        if fail:
            b.fail()
        b.echo("two")
        b.add(3, 4)
        result = b(oneway=oneway)
        return None if oneway else list(result)

    simple("batch", "BatchProxy: echo(1), echo('two'), add(3, 4)", [("batch", lambda p: batch(p))])
    simple("batch_with_error", "BatchProxy: echo(1), fail(), echo('two'), add(3, 4)",
           [("batch", lambda p: batch(p, fail=True))])
    simple("oneway_batch", "BatchProxy called with oneway=True, then echo('after')",
           [("batch", lambda p: batch(p, oneway=True)), ("echo", lambda p: p.echo("after"))])
    simple("generator_all", "list(gen(3)): stream start, three items, StopIteration",
           [("gen", lambda p: list(p.gen(3)))])

    def abandon(p):
        it = p.gen(5)
        first = next(it)
        it.close()
        return first

    simple("generator_abandoned", "next() once on gen(5), then close the iterator (close_stream), then echo",
           [("gen", abandon), ("echo", lambda p: p.echo("after"))])
    simple("generator_fail", "list(gen_fail(1)): one item, then the generator raises ValueError",
           [("gen_fail", lambda p: list(p.gen_fail(1)))])
    simple("oneway", "fire(7) is @oneway (no reply), then fired()",
           [("fire", lambda p: p.fire(7)), ("fired", lambda p: p.fired())])

    def set_value(p, name, v):
        setattr(p, name, v)

    simple("attributes", "property get/set: value, value = 99, value, readonly, readonly = 1",
           [("get value", lambda p: p.value), ("set value", lambda p: set_value(p, "value", 99)),
            ("get value again", lambda p: p.value), ("get readonly", lambda p: p.readonly),
            ("set readonly", lambda p: set_value(p, "readonly", 1))])
    simple("unknown_method", "calling a method the metadata does not list (checked client-side), "
                             "then the same through _pyroInvoke (sent)",
           [("nope", lambda p: p.nope()), ("_pyroInvoke nope", lambda p: p._pyroInvoke("nope", (), {}))])
    simple("auto_proxy", "make_child() returns a registered object: it arrives as a Pyro5.client.Proxy",
           [("make_child", lambda p: p.make_child())])
    simple("uri_result", "uri() returns a Pyro5.core.URI; daemon_object() returns the Daemon",
           [("uri", lambda p: p.uri()), ("daemon_object", lambda p: p.daemon_object())])
    simple("daemon_object", "calls on Pyro.Daemon: ping, info, registered, get_metadata('lab'), "
                            "get_metadata('nope')",
           [("ping", lambda p: p.ping()), ("info", lambda p: p.info()), ("registered", lambda p: p.registered()),
            ("get_metadata", lambda p: p.get_metadata("lab")),
            ("get_metadata unknown", lambda p: p.get_metadata("nope"))],
           object_id="Pyro.Daemon")

    def with_correlation(p):
        current_context.correlation_id = uuid.UUID("11111111-2222-3333-4444-555555555555")
        try:
            return p.correlation()
        finally:
            current_context.correlation_id = None

    simple("correlation_id", "current_context.correlation_id set: CORR_ID flag and the id in the header",
           [("correlation", with_correlation), ("correlation unset", lambda p: p.correlation())])

    def with_annotations(p):
        current_context.annotations = {"XTRA": b"extra!"}
        try:
            result = p.annotated()
            return result, {k: bytes(v) for k, v in current_context.response_annotations.items()}
        finally:
            current_context.annotations = {}

    simple("annotations", "custom request annotation XTRA=b'extra!'; annotated() echoes it back as a "
                          "response annotation",
           [("annotated", with_annotations)])

    def compressed(p):
        config.COMPRESSION = True
        try:
            return p.echo("y" * 300), p.echo("short")
        finally:
            config.COMPRESSION = False

    simple("compressed_request", "client COMPRESSION=True: echo('y'*300) and echo('short') (> 100 bytes "
                                 "payloads are compressed, level 4)",
           [("echo", compressed)])
    simple("compressed_reply", "daemon with PYRO_COMPRESSION=true, client without: echo('y'*300)",
           [("echo", lambda p: p.echo("y" * 300))], target="lab_compressing", port=ports["lab_compressing"])

    def handshake(p, data):
        p._pyroHandshake = data
        return p.echo(1)

    simple("custom_handshake", "_pyroHandshake = {'token': 'abc'}: the lab's validateHandshake answers "
                               "{'welcome': data}",
           [("echo", lambda p: handshake(p, {"token": "abc"}))])
    simple("handshake_rejected", "_pyroHandshake = 'reject-me': validateHandshake raises -> CONNECTFAIL",
           [("echo", lambda p: handshake(p, "reject-me"))])
    simple("unknown_object", "proxy for PYRO:nope@...: CONNECTFAIL 'unknown object'",
           [("echo", lambda p: p.echo(1))], object_id="nope")
    def with_blob(p):
        try:
            return p.blob_info(Pyro5.api.SerializedBlob("blobinfo", [1, "two"]))
        finally:
            # Pyro5 puts BLBI into the thread's current_context.annotations itself and never takes
            # it out again: without this every later request of the run would carry it.
            current_context.annotations = {}

    simple("serialized_blob", "blob_info(SerializedBlob('blobinfo', [1, 'two'])): KEEPSERIALIZED flag and "
                              "the BLBI annotation",
           [("blob_info", with_blob)])
    _callback(store, serializer, lab)


def _callback(store, serializer, lab):
    """lab.call_back(proxy, 'hi') where proxy points (through a second relay) at a Pyro5 daemon of
    the capture client: shows a Proxy as an argument, and the Pyro5 client inside the daemon."""
    key = "%s/lab/callback" % serializer
    description = ("call_back(Proxy('PYRO:cb@<relay>'), 'hi'): the lab daemon connects back to the "
                   "client's own daemon (connections labelled daemon-callback)")
    with store.scenario(key, description, CLIENT, serializer, "lab") as (rec, out):
        import threading
        daemon = Pyro5.api.Daemon(host="127.0.0.1", port=0)
        daemon.register(Receiver(), "cb")
        loop = threading.Thread(target=daemon.requestLoop, daemon=True)
        loop.start()
        cb_relay = Relay(rec, daemon.sock.getsockname()[1], "daemon-callback")
        try:
            def body(relay_port):
                with _proxy(relay_port, serializer) as p:
                    target = Pyro5.api.Proxy("PYRO:cb@127.0.0.1:%d" % cb_relay.port)
                    out["call_back"] = describe_outcome(lambda: p.call_back(target, "hi"))
            _with_relay(rec, lab, "client-daemon", body)
        finally:
            cb_relay.close()
            daemon.shutdown()
            loop.join(timeout=5)


def ns_scenarios(store, serializer, ports):
    """Name server calls with the real Pyro5 client (locate_ns with an explicit host: no broadcast)."""
    ns_port, lab = ports["ns"], ports["lab"]
    lab_uri = "PYRO:lab@127.0.0.1:%d" % lab

    def scenario(name, description, calls):
        with store.scenario("%s/ns/%s" % (serializer, name), description, CLIENT, serializer, "ns") as (rec, out):
            def body(relay_port):
                config.SERIALIZER = serializer  # locate_ns binds its proxy with the configured serializer
                try:
                    with Pyro5.core.locate_ns("127.0.0.1", relay_port) as ns:
                        for label, fn in calls:
                            out[label] = describe_outcome(lambda: fn(ns))
                finally:
                    config.SERIALIZER = "serpent"
            _with_relay(rec, ns_port, "client-nameserver", body)

    uri_obj = Pyro5.core.URI(lab_uri)
    scenario("ns_register", "register: str uri; URI object with metadata; safe=True twice",
             [("register str", lambda ns: ns.register("test.lab", lab_uri)),
              ("register URI + metadata", lambda ns: ns.register("test.lab2", uri_obj, metadata={"tag1", "tag2"})),
              ("register safe", lambda ns: ns.register("test.safe", lab_uri, safe=True)),
              ("register safe again", lambda ns: ns.register("test.safe", lab_uri, safe=True)),
              ("register bad metadata", lambda ns: ns.register("test.bad", lab_uri, metadata="tag"))])
    scenario("ns_lookup", "lookup, lookup with return_metadata, unknown name",
             [("lookup", lambda ns: ns.lookup("test.lab")),
              ("lookup metadata", lambda ns: ns.lookup("test.lab2", return_metadata=True)),
              ("lookup unknown", lambda ns: ns.lookup("nope"))])
    scenario("ns_list", "list: all, prefix, regex, return_metadata, two filters",
             [("list", lambda ns: ns.list()),
              ("list prefix", lambda ns: ns.list(prefix="test.lab")),
              ("list regex", lambda ns: ns.list(regex=r"test\.lab\d")),
              ("list return_metadata", lambda ns: ns.list(return_metadata=True)),
              ("list prefix return_metadata", lambda ns: ns.list(prefix="test.lab2", return_metadata=True)),
              ("list prefix+regex", lambda ns: ns.list(prefix="a", regex="b"))])
    scenario("ns_yplookup", "yplookup: meta_all, meta_any, return_metadata=False, both filters, none",
             [("yplookup meta_all", lambda ns: ns.yplookup(meta_all={"tag1"})),
              ("yplookup meta_any", lambda ns: ns.yplookup(meta_any={"tag2", "zzz"})),
              ("yplookup no metadata", lambda ns: ns.yplookup(meta_all=["tag1"], return_metadata=False)),
              ("yplookup both", lambda ns: ns.yplookup(meta_all=["a"], meta_any=["b"])),
              ("yplookup none", lambda ns: ns.yplookup())])
    scenario("ns_metadata_count_remove", "set_metadata, count, ping, remove by name/prefix/unknown",
             [("set_metadata", lambda ns: ns.set_metadata("test.lab", ["tag3"])),
              ("set_metadata unknown", lambda ns: ns.set_metadata("nope", ["x"])),
              ("count", lambda ns: ns.count()),
              ("ping", lambda ns: ns.ping()),
              ("remove name", lambda ns: ns.remove("test.safe")),
              ("remove prefix", lambda ns: ns.remove(prefix="test.lab")),
              ("remove unknown", lambda ns: ns.remove("nope")),
              ("count after", lambda ns: ns.count())])
    scenario("ns_pyro4_style_list", "a Pyro4-style list(metadata_all=...) call on the Pyro5 name server",
             [("list metadata_all", lambda ns: ns._pyroInvoke("list", (), {"metadata_all": ["tag1"]}))])

    # PYRONAME / PYROMETA resolution: only the name-server side goes through the relay
    # (the URI it returns holds the lab's real port).
    for kind, uri in (("pyroname", "PYRONAME:test.resolve@127.0.0.1:%d"), ("pyrometa", "PYROMETA:resolvetag@127.0.0.1:%d")):
        key = "%s/ns/%s_resolve" % (serializer, kind)
        with store.scenario(key, "Proxy('%s').echo('x'): the name-server side of resolving it "
                                 "(the lab connection is not recorded)" % (uri % 9090), CLIENT, serializer, "ns") as (rec, out):
            with Pyro5.core.locate_ns("127.0.0.1", ns_port) as ns:
                ns.register("test.resolve", lab_uri, metadata={"resolvetag"})

            def body(relay_port):
                config.SERIALIZER = serializer  # the name-server proxy made during resolve uses the default
                try:
                    with Pyro5.api.Proxy(uri % relay_port) as p:
                        p._pyroSerializer = serializer
                        out["echo"] = describe_outcome(lambda: p.echo("x"))
                finally:
                    config.SERIALIZER = "serpent"
            _with_relay(rec, ns_port, "client-nameserver", body)
            with Pyro5.core.locate_ns("127.0.0.1", ns_port) as ns:
                ns.remove("test.resolve")


def echoserver_scenarios(store, serializer, ports):
    """Pyro5's stock echo server (python -m Pyro5.utils.echoserver, multiplex server type)."""
    def scenario(name, description, calls):
        key = "%s/echoserver/%s" % (serializer, name)
        with store.scenario(key, description, CLIENT, serializer, "echoserver") as (rec, out):
            def body(relay_port):
                with _proxy(relay_port, serializer, "test.echoserver") as p:
                    for label, fn in calls:
                        out[label] = describe_outcome(lambda: fn(p))
            _with_relay(rec, ports["echoserver"], "client-daemon", body)

    scenario("normal_call", "echo('hello') on the stock echo server", [("echo", lambda p: p.echo("hello"))])
    scenario("nan_inf_error", "nan(), inf(), error()",
             [("nan", lambda p: p.nan()), ("inf", lambda p: p.inf()), ("error", lambda p: p.error())])
