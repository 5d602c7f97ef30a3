"""
Scenarios driven by a raw socket client that builds every message itself (wire.py): what a
Pyro5 daemon answers, including to requests no Python client would send; the exchanges
across generations (Pyro4 bytes to a Pyro5 daemon and back); and broadcast discovery.
"""
import json
import marshal
import uuid
import zlib

import msgpack
import serpent

import wire
from recording import RawConnection, udp_request

CLIENT = "raw"
SERIALIZER_IDS = {"serpent": 1, "marshal": 2, "json": 3, "msgpack": 4}
PING_SERIALIZER = 42
NO_KWARGS = object()
CONNECT, CONNECTOK, CONNECTFAIL, INVOKE, RESULT, PING = 1, 2, 3, 4, 5, 6
EXCEPTION, COMPRESSED, ONEWAY, BATCH, ITEMSTREAMRESULT, CORR_ID = 0x01, 0x02, 0x04, 0x08, 0x10, 0x40


def dumps(serializer, value):
    """Serialize like Pyro5 5.16 does (serpent with module_in_classname, json without ASCII escapes)."""
    if serializer == "serpent":
        return serpent.dumps(value, module_in_classname=True)
    if serializer == "marshal":
        return marshal.dumps(value)
    if serializer == "json":
        return json.dumps(value, ensure_ascii=False).encode("utf-8")
    if serializer == "msgpack":
        return msgpack.packb(value, use_bin_type=True)
    raise ValueError(serializer)


def call_payload(serializer, object_id, method, vargs, kwargs):
    """The INVOKE payload: a 4-tuple, except json which uses an object with named fields."""
    if serializer == "json":
        return dumps("json", {"object": object_id, "method": method, "params": list(vargs), "kwargs": kwargs})
    return dumps(serializer, (object_id, method, vargs, kwargs))


class Session:
    """A raw connection speaking one serializer, counting sequence numbers like a proxy does."""

    def __init__(self, rec, port, serializer, label="raw-daemon"):
        self.conn = RawConnection(rec, port, label)
        self.serializer = serializer
        self.ser_id = SERIALIZER_IDS[serializer]
        self.seq = 0

    def connect(self, object_id="lab", handshake="hello", seq=None, correlation_id=None):
        payload = dumps(self.serializer, {"handshake": handshake, "object": object_id})
        return self.conn.exchange(wire.pyro5_message(CONNECT, self.ser_id, self.seq if seq is None else seq,
                                                     payload, correlation_id=correlation_id))

    def invoke(self, method, vargs=(), kwargs=NO_KWARGS, object_id="lab", flags=0, seq=None, serializer=None,
               annotations=None, correlation_id=None, compress_level=None, expect_reply=True):
        serializer = serializer or self.serializer
        kwargs = {} if kwargs is NO_KWARGS else kwargs  # None is sent as null
        if seq is None:
            self.seq = (self.seq + 1) & 0xFFFF
            seq = self.seq
        message = wire.pyro5_message(INVOKE, SERIALIZER_IDS[serializer], seq,
                                     call_payload(serializer, object_id, method, vargs, kwargs), flags=flags,
                                     annotations=annotations, correlation_id=correlation_id,
                                     compress_level=compress_level)
        if not expect_reply:
            self.conn.send(message)
            return None
        return self.conn.exchange(message)

    def ping(self):
        self.seq = (self.seq + 1) & 0xFFFF
        return self.conn.exchange(wire.pyro5_message(PING, PING_SERIALIZER, self.seq, b"ping"))

    def close(self):
        self.conn.close()


def _decoded(serializer_name, payload):
    if serializer_name == "serpent":
        return serpent.loads(payload)
    if serializer_name == "json":
        return json.loads(payload)
    if serializer_name == "marshal":
        return marshal.loads(payload)
    return msgpack.unpackb(payload, raw=False, strict_map_key=False)


def summary(reply):
    """Short text of a reply for the scenario outcomes."""
    info, payload = reply
    text = "%s seq=%d flags=%s ser=%d" % (info["msg_type_name"], info["seq"], "|".join(info["flag_names"]) or "0",
                                         info["serializer_id"])
    if info["flags"] & COMPRESSED:
        payload = zlib.decompress(payload)
    if info["msg_type"] == PING or info["serializer_name"] is None:
        return text + " " + repr(payload)
    value = _decoded(info["serializer_name"], payload)
    if isinstance(value, dict) and value.get("__exception__"):
        value = "%s%r" % (value["__class__"], tuple(value["args"]))
    return text + " " + repr(value)


def raw_scenarios(store, ports):
    lab = ports["lab"]

    def scenario(key, description, serializer=None, target="lab"):
        return store.scenario(key, description, CLIENT, serializer, target)

    for ser in SERIALIZER_IDS:
        with scenario("%s/lab/raw_call_layouts" % ser,
                      "one raw connection: echo, __getattr__/__setattr__ (kwargs null), a normal call with "
                      "kwargs null, unknown/private/dunder methods, unknown object, a batch, PING, a oneway "
                      "call that fails (no reply), then a normal call", ser) as (rec, out):
            s = Session(rec, lab, ser)
            out["connect"] = summary(s.connect())
            out["echo"] = summary(s.invoke("echo", ("raw",)))
            out["__getattr__"] = summary(s.invoke("__getattr__", ("value",), None))
            out["__setattr__"] = summary(s.invoke("__setattr__", ("value", 43), None))
            out["echo kwargs null"] = summary(s.invoke("echo", ("x",), None))
            out["nope"] = summary(s.invoke("nope", (), {}))
            out["_private"] = summary(s.invoke("_private", (), {}))
            out["__dunder__"] = summary(s.invoke("__dunder__", (), {}))
            out["unknown object"] = summary(s.invoke("echo", (1,), {}, object_id="nope"))
            out["<batch>"] = summary(s.invoke("<batch>", [("echo", [1], {}), ("add", [1, 2], {})], None, flags=BATCH))
            out["ping"] = summary(s.ping())
            s.invoke("echo", (1, 2, 3), flags=ONEWAY, expect_reply=False)
            out["oneway with bad args"] = "no reply"
            out["echo after"] = summary(s.invoke("echo", ("after",)))
            s.close()

        with scenario("%s/lab/raw_refused_classes" % ser,
                      "class dicts the daemon refuses in arguments: an unknown class, and a Pyro4 class name "
                      "(each on its own connection: the daemon closes after a SerializeError)", ser) as (rec, out):
            for label, value in (("unknown class", {"__class__": "my.Thing", "a": 1}),
                                 ("Pyro4 URI", {"__class__": "Pyro4.core.URI",
                                                "state": ["PYRO", "x", None, "127.0.0.1", 1]})):
                s = Session(rec, lab, ser)
                s.connect()
                out[label] = summary(s.invoke("echo", (value,)))
                out[label + " then"] = s.conn.expect_close()
                s.close()

    with scenario("serpent/lab/raw_ping_before_connect", "PING as the first message: CONNECTFAIL", "serpent") as (rec, out):
        s = Session(rec, lab, "serpent")
        out["ping"] = summary(s.ping())
        out["then"] = s.conn.expect_close()
        s.close()
    with scenario("serpent/lab/raw_invoke_before_connect", "INVOKE as the first message: CONNECTFAIL", "serpent") as (rec, out):
        s = Session(rec, lab, "serpent")
        out["invoke"] = summary(s.invoke("echo", (1,)))
        out["then"] = s.conn.expect_close()
        s.close()
    with scenario("serpent/lab/raw_seq_numbers", "CONNECT with seq 7, INVOKEs with seq 65535, 0 and 5: "
                                                 "the daemon echoes whatever it gets", "serpent") as (rec, out):
        s = Session(rec, lab, "serpent")
        out["connect seq 7"] = summary(s.connect(seq=7))
        for seq in (65535, 0, 5):
            out["invoke seq %d" % seq] = summary(s.invoke("echo", (seq,), seq=seq))
        s.close()
    with scenario("serpent/lab/raw_connect_without_object", "CONNECT payload {'handshake': 'hello'} only",
                  "serpent") as (rec, out):
        s = Session(rec, lab, "serpent")
        out["connect"] = summary(s.conn.exchange(wire.pyro5_message(CONNECT, 1, 0, dumps("serpent", {"handshake": "hello"}))))
        out["then"] = s.conn.expect_close()
        s.close()
    with scenario("json/lab/raw_connect_undecodable", "CONNECT with serializer json and payload b'{not json'",
                  "json") as (rec, out):
        s = Session(rec, lab, "json")
        out["connect"] = summary(s.conn.exchange(wire.pyro5_message(CONNECT, 3, 0, b"{not json")))
        out["then"] = s.conn.expect_close()
        s.close()
    with scenario("serpent/lab/raw_unknown_serializer", "CONNECT with serializer id 9 (unknown): no reply, "
                                                        "the daemon just closes", None) as (rec, out):
        s = Session(rec, lab, "serpent")
        s.conn.send(wire.pyro5_message(CONNECT, 9, 0, dumps("serpent", {"handshake": "hello", "object": "lab"})))
        out["then"] = s.conn.expect_close()
        s.close()
    with scenario("serpent/lab/raw_serializer_switch", "CONNECT with serpent, then INVOKEs in json, msgpack, "
                                                       "marshal on the same connection", "serpent") as (rec, out):
        s = Session(rec, lab, "serpent")
        s.connect()
        for other in ("json", "msgpack", "marshal"):
            out[other] = summary(s.invoke("echo", (other,), serializer=other))
        s.close()
    with scenario("none/lab/raw_not_pyro", "an HTTP request instead of a Pyro message", None) as (rec, out):
        conn = RawConnection(rec, lab, "raw-daemon")
        conn.send(b"GET / HTTP/1.0\r\n\r\n")
        out["reply"] = summary(conn.receive())
        out["then"] = conn.expect_close()
        conn.close()
    with scenario("serpent/lab/raw_bad_magic_number", "CONNECT whose last header field (magic 0x4dc5) is 0",
                  "serpent") as (rec, out):
        conn = RawConnection(rec, lab, "raw-daemon")
        message = bytearray(wire.pyro5_message(CONNECT, 1, 0, dumps("serpent", {"handshake": "hello", "object": "lab"})))
        message[38:40] = b"\0\0"
        conn.send(bytes(message))
        out["reply"] = summary(conn.receive())
        out["then"] = conn.expect_close()
        conn.close()
    with scenario("serpent/lab/raw_too_large", "a CONNECT header announcing 2 GiB of data (MAX_MESSAGE_SIZE is "
                                               "1 GiB by default); no payload is sent", "serpent") as (rec, out):
        conn = RawConnection(rec, lab, "raw-daemon")
        header = wire.PYRO5_HEADER.pack(b"PYRO", 502, CONNECT, 1, 0, 0, 0x80000000, 0, wire.NO_CORRELATION, 0,
                                        wire.PYRO5_MAGIC_NUMBER)
        conn.send(header)
        out["reply"] = summary(conn.receive())
        out["then"] = conn.expect_close()
        conn.close()
    with scenario("serpent/lab/raw_big_annotation", "an INVOKE of annotated() carrying a 70000-byte annotation "
                                                    "BIGA (more than Pyro4's 65535 limit); the reply echoes it",
                  "serpent") as (rec, out):
        s = Session(rec, lab, "serpent")
        s.connect()
        info, payload = s.invoke("annotated", annotations={"BIGA": bytes(range(256)) * 273 + b"\x00" * 112})
        out["annotated"] = summary((info, payload))
        out["reply annotations"] = [(a["name"], a["length"]) for a in info["annotations"]]
        s.close()
    corr = uuid.UUID("11111111-2222-3333-4444-555555555555").bytes
    with scenario("serpent/lab/raw_correlation", "CONNECT and INVOKE with the CORR_ID flag and a fixed id, then "
                                                 "an INVOKE without", "serpent") as (rec, out):
        s = Session(rec, lab, "serpent")
        info, _ = s.connect(correlation_id=corr)
        out["connect"] = info["correlation_id"]
        out["correlation with id"] = summary(s.invoke("correlation", correlation_id=corr))
        out["correlation without id"] = summary(s.invoke("correlation"))
        s.close()
    with scenario("serpent/lab/raw_stream", "gen(2): stream start, three pulls (0, 1, StopIteration), a pull "
                                            "after the end, close_stream (oneway) of an unknown id, lazy_keys() (a dict view), "
                                            "keys_iterator() (an iterator over a dict)",
                  "serpent") as (rec, out):
        s = Session(rec, lab, "serpent")
        s.connect()
        info, payload = s.invoke("gen", (2,))
        out["gen"] = summary((info, payload))
        stream_id = bytes.fromhex(next(a["hex"] for a in info["annotations"] if a["name"] == "STRM")).decode()
        for n in range(4):
            out["pull %d" % n] = summary(s.invoke("get_next_stream_item", [stream_id], object_id="Pyro.Daemon"))
        s.invoke("close_stream", ["no-such-stream"], object_id="Pyro.Daemon", flags=ONEWAY, expect_reply=False)
        out["lazy_keys"] = summary(s.invoke("lazy_keys"))
        out["keys_iterator"] = summary(s.invoke("keys_iterator"))
        s.close()
    with scenario("serpent/lab/raw_stream_other_connection", "gen(3) started on one connection, its items "
                                                             "pulled on a second one", "serpent") as (rec, out):
        a = Session(rec, lab, "serpent")
        a.connect()
        info, _ = a.invoke("gen", (3,))
        stream_id = bytes.fromhex(next(x["hex"] for x in info["annotations"] if x["name"] == "STRM")).decode()
        b = Session(rec, lab, "serpent")
        b.connect()
        out["pull on second connection"] = summary(b.invoke("get_next_stream_item", [stream_id], object_id="Pyro.Daemon"))
        out["pull on first connection"] = summary(a.invoke("get_next_stream_item", [stream_id], object_id="Pyro.Daemon"))
        a.close()
        b.close()
    with scenario("serpent/lab/raw_compressed_level9", "an INVOKE compressed with zlib level 9 (Python uses 4)",
                  "serpent") as (rec, out):
        s = Session(rec, lab, "serpent")
        s.connect()
        out["echo"] = summary(s.invoke("echo", ("z" * 300,), compress_level=9))
        s.close()
    with scenario("serpent/lab/raw_serpent_literals", "serpent payloads Pyro5 itself never sends: describe() "
                                                      "of a b'..' bytes literal, and a payload without the "
                                                      "'# serpent' header line", "serpent") as (rec, out):
        s = Session(rec, lab, "serpent")
        s.connect()
        literal = serpent.dumps(("lab", "describe", (b"\x00\x01",), {}), module_in_classname=True, bytes_repr=True)
        out["bytes literal"] = summary(s.conn.exchange(wire.pyro5_message(INVOKE, 1, _next_seq(s), literal)))
        out["no header line"] = summary(s.conn.exchange(wire.pyro5_message(
            INVOKE, 1, _next_seq(s), b"('lab','echo',('no header',),{})")))
        s.close()
    with scenario("serpent/lab/raw_get_metadata_pyro4_style", "Pyro.Daemon.get_metadata('lab', True) (Pyro4's "
                                                              "as_lists argument)", "serpent") as (rec, out):
        s = Session(rec, lab, "serpent")
        s.connect()
        out["get_metadata"] = summary(s.invoke("get_metadata", ["lab", True], object_id="Pyro.Daemon"))
        out["get_metadata one arg"] = summary(s.invoke("get_metadata", ["lab"], object_id="Pyro.Daemon"))
        s.close()
    _crossgen(store, ports)
    _broadcast(store, ports)


def _next_seq(session):
    session.seq = (session.seq + 1) & 0xFFFF
    return session.seq


def _crossgen(store, ports):
    connect4 = wire.pyro4_message(CONNECT, 1, 0, dumps("serpent", {"handshake": "hello", "object": "lab"}),
                                  flags=0x10)  # Pyro4's META_ON_CONNECT
    connect4_json = wire.pyro4_message(CONNECT, 2, 0, json.dumps({"handshake": "hello", "object": "lab"}).encode(),
                                       flags=0x10)
    for name, message, ser in (("raw_pyro4_connect", connect4, "serpent"), ("raw_pyro4_connect_json", connect4_json, "json")):
        with store.scenario("crossgen/pyro5-lab/" + name, "a Pyro4 (protocol 48) %s CONNECT sent to the Pyro5 "
                            "lab daemon" % ser, CLIENT, ser, "lab") as (rec, out):
            conn = RawConnection(rec, ports["lab"], "raw-daemon")
            conn.send(message)
            out["reply"] = summary(conn.receive())
            out["then"] = conn.expect_close()
            conn.close()
    connect5 = wire.pyro5_message(CONNECT, 1, 0, dumps("serpent", {"handshake": "hello", "object": "test.echoserver"}))
    with store.scenario("crossgen/pyro4-echoserver/raw_pyro5_connect", "a Pyro5 (protocol 502) serpent CONNECT "
                        "sent to a Pyro4 4.82 daemon (python3 -m Pyro4.test.echoserver)", CLIENT, "serpent",
                        "pyro4_echoserver") as (rec, out):
        conn = RawConnection(rec, ports["pyro4_echoserver"], "raw-daemon")
        conn.send(connect5)
        out["reply"] = summary(conn.receive())
        out["then"] = conn.expect_close()
        conn.close()


def _broadcast(store, ports):
    for name, port, request, description in (
            ("get_nsuri", ports["bc"], b"GET_NSURI", "the discovery request; the reply is the name server URI"),
            ("get_nsuri_lowercase", ports["bc"], b"get_nsuri", "a lowercase request gets no reply"),
            ("get_nsuri_any_address", ports["bc"] + 1, b"GET_NSURI",
             "a responder given a URI with host 0.0.0.0 answers with the interface address")):
        with store.scenario("broadcast/ns/" + name, description, CLIENT, None, "ns_broadcast") as (rec, out):
            reply = udp_request(rec, port, request, "udp")
            out["reply"] = None if reply is None else reply.decode("iso-8859-1")
