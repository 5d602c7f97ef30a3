"""
Real clients across generations (Pyro4 4.82 proxy -> Pyro5 daemon, Pyro5 proxy -> Pyro4 daemon),
Pyro5's locate_ns() finding the name server by broadcast (to 127.0.0.1 only), and TLS checks
that leave no readable bytes (recorded as observations).
"""
import json
import marshal
import os
import socket
import subprocess
import tempfile
import threading

import Pyro4
import Pyro4.naming
import Pyro5.api
import Pyro5.core
import Pyro5.socketutil
from Pyro5.api import config

import serpent

import processes
import wire
from recording import Relay, UdpRelay
from store import describe_outcome


def crossgen_scenarios(store, ports):
    with store.scenario("crossgen/pyro5-lab/pyro4_proxy", "the real Pyro4 4.82 client (serpent) calls "
                        "echo('x') on the Pyro5 lab daemon", "pyro4-proxy", "serpent", "lab") as (rec, out):
        relay = Relay(rec, ports["lab"], "client-daemon")
        try:
            with Pyro4.Proxy("PYRO:lab@127.0.0.1:%d" % relay.port) as p:
                out["echo"] = describe_outcome(lambda: p.echo("x"))
        finally:
            relay.close()
    with store.scenario("crossgen/pyro5-ns/pyro4_locate_ns", "Pyro4.locateNS(host, port) pointed at the Pyro5 "
                        "name server", "pyro4-proxy", "serpent", "ns") as (rec, out):
        relay = Relay(rec, ports["ns"], "client-nameserver")
        try:
            out["locateNS"] = describe_outcome(lambda: Pyro4.locateNS("127.0.0.1", relay.port))
        finally:
            relay.close()
    with store.scenario("crossgen/pyro4-echoserver/pyro5_proxy", "the real Pyro5 5.16 client (serpent) calls "
                        "echo('x') on a Pyro4 4.82 daemon", "pyro5-proxy", "serpent", "pyro4_echoserver") as (rec, out):
        relay = Relay(rec, ports["pyro4_echoserver"], "client-daemon")
        try:
            with Pyro5.api.Proxy("PYRO:test.echoserver@127.0.0.1:%d" % relay.port) as p:
                out["echo"] = describe_outcome(lambda: p.echo("x"))
        finally:
            relay.close()


def locate_by_broadcast(store, ports):
    """locate_ns() with no host: a direct attempt on NS_HOST:NS_PORT (a closed port), then the
    broadcast to BROADCAST_ADDRS=['127.0.0.1'] (through a UDP relay), then the proxy it returns."""
    with store.scenario("broadcast/ns/locate_ns_python", "Pyro5 locate_ns() without host: NS_PORT closed, "
                        "NS_BCPORT = a UDP relay to the responder, BROADCAST_ADDRS = 127.0.0.1",
                        "pyro5-proxy", None, "ns_broadcast") as (rec, out):
        relay = UdpRelay(rec, ports["bc"], "udp")
        saved = (config.NS_HOST, config.NS_PORT, config.NS_BCPORT, config.BROADCAST_ADDRS)
        config.NS_HOST, config.NS_PORT = "127.0.0.1", ports["closed"]
        config.NS_BCPORT, config.BROADCAST_ADDRS = relay.port, ["127.0.0.1"]
        try:
            def locate():
                ns = Pyro5.core.locate_ns()
                connected = ns._pyroConnection is not None
                uri = str(ns._pyroUri)
                ns._pyroRelease()
                return uri, "connected" if connected else "not connected yet"
            out["locate_ns"] = describe_outcome(locate)
        finally:
            config.NS_HOST, config.NS_PORT, config.NS_BCPORT, config.BROADCAST_ADDRS = saved
            relay.close()


def _make_certs(directory):
    """A self-signed server certificate for 127.0.0.1/localhost (openssl)."""
    cert, key = os.path.join(directory, "server.pem"), os.path.join(directory, "server.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


def _reset_client_ssl():
    # Pyro5 caches its client SSL context per process; drop it so each check starts afresh.
    setattr(Pyro5.socketutil, "__ssl_client_context", None)


def tls_observations(store, ports, env, lab_server):
    """1-way TLS with Pyro5's SSL settings, against a TLS lab daemon and the plain one."""
    with tempfile.TemporaryDirectory() as directory:
        cert, key = _make_certs(directory)
        port = ports["lab_tls"]
        proc, _ = processes.start("lab_tls", ["/usr/bin/python3", lab_server, "--port", str(port)],
                                  dict(env, PYRO_SSL="true", PYRO_SSL_SERVERCERT=cert, PYRO_SSL_SERVERKEY=key),
                                  "READY")
        try:
            def echo(p):
                with Pyro5.api.Proxy("PYRO:lab@127.0.0.1:%d" % p) as proxy:
                    proxy._pyroTimeout = 5
                    return proxy.echo("over tls")

            checks = [
                ("tls_client_no_ca", "SSL=True, no SSL_CACERTS, against the TLS daemon (self-signed cert)",
                 True, "", port),
                ("tls_client_with_ca", "SSL=True, SSL_CACERTS=server cert, against the TLS daemon",
                 True, cert, port),
                ("plain_client_tls_daemon", "SSL=False against the TLS daemon", False, "", port),
                ("tls_client_plain_daemon", "SSL=True, SSL_CACERTS=server cert, against the plain lab daemon",
                 True, cert, ports["lab"]),
            ]
            for name, description, ssl, cacerts, target in checks:
                config.SSL, config.SSL_CACERTS = ssl, cacerts
                _reset_client_ssl()
                try:
                    store.observe(name, description, describe_outcome(lambda: echo(target)))
                finally:
                    config.SSL, config.SSL_CACERTS = False, ""
                    _reset_client_ssl()
        finally:
            processes.stop(proc)


class MinimalDaemon:
    """A hand-written Pyro5 daemon (serpent only, one object 'cb' with method echo) whose replies
    can be bent, to record how the real Pyro5 client reacts: what a TypeScript daemon must get right."""

    META = {"methods": ["echo"], "oneway": [], "attrs": []}

    def __init__(self, mode):
        self.mode = mode
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(4)
        self.port = self.server.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _read(self, conn):
        data = b""
        while len(data) < wire.PYRO5_HEADER.size or len(data) < wire.message_length(data):
            part = conn.recv(65536)
            if not part:
                return None
            data += part
        return wire.describe(data)

    def _send(self, conn, msg_type, seq, value, flags=0, serializer_id=1):
        payload = {1: lambda v: serpent.dumps(v, module_in_classname=True),
                   2: marshal.dumps, 3: lambda v: json.dumps(v).encode()}[serializer_id](value)
        conn.sendall(wire.pyro5_message(msg_type, serializer_id, seq, payload, flags=flags))

    def _serve(self):
        try:
            conn, _ = self.server.accept()
        except OSError:
            return
        with conn:
            request = self._read(conn)
            if request is None:
                return
            info, _ = request
            mode = self.mode
            if mode == "connectfail":
                self._send(conn, 3, info["seq"], "go away", serializer_id=2)
                return
            meta = {"methods": [], "oneway": [], "attrs": []} if mode == "empty_meta" else self.META
            self._send(conn, 2, info["seq"], "hello" if mode == "no_meta" else {"handshake": "hello", "meta": meta})
            request = self._read(conn)
            if request is None:
                return
            info, payload = request
            _, _, vargs, _ = serpent.loads(payload)
            seq = info["seq"]
            if mode == "wrong_seq":
                self._send(conn, 5, (seq + 1) & 0xFFFF, vargs[0])
            elif mode == "wrong_serializer":
                self._send(conn, 5, seq, vargs[0], serializer_id=3)
            elif mode in ("pyro4_exception", "short_exception_name", "pyro5_exception"):
                name = {"pyro4_exception": "Pyro4.errors.NamingError", "short_exception_name": "ValueError",
                        "pyro5_exception": "Pyro5.errors.NamingError"}[mode]
                self._send(conn, 5, seq, {"__class__": name, "__exception__": True, "args": ["from the minimal daemon"],
                                          "attributes": {"_pyroTraceback": ["remote line\n"]}}, flags=0x01)
            else:
                self._send(conn, 5, seq, vargs[0])
            self._read(conn)  # until the client closes

    def close(self):
        self.server.close()
        self.thread.join(timeout=5)


MINIMAL_DAEMON_MODES = {
    "ok": "CONNECTOK {'handshake': 'hello', 'meta': lists}, no CORR_ID flag on any reply; RESULT echoes the argument",
    "no_meta": "CONNECTOK payload is just 'hello' (no meta dict)",
    "empty_meta": "CONNECTOK meta with no methods and no attrs",
    "connectfail": "CONNECTFAIL with a marshal (id 2) string payload",
    "wrong_seq": "RESULT with the request's seq + 1",
    "wrong_serializer": "RESULT encoded with json (id 3) for a serpent request",
    "pyro5_exception": "RESULT with EXCEPTION flag, class Pyro5.errors.NamingError",
    "pyro4_exception": "RESULT with EXCEPTION flag, class Pyro4.errors.NamingError",
    "short_exception_name": "RESULT with EXCEPTION flag, class 'ValueError' (no module)",
}


def minimal_daemon_scenarios(store):
    """The real Pyro5 client (serpent) calling echo('hi') on a hand-written daemon, per reply variant."""
    for mode, description in MINIMAL_DAEMON_MODES.items():
        key = "serpent/minimal_daemon/%s" % mode
        with store.scenario(key, "Pyro5 client against a hand-written daemon: " + description, "pyro5-proxy",
                            "serpent", "minimal_daemon") as (rec, out):
            daemon = MinimalDaemon(mode)
            relay = Relay(rec, daemon.port, "client-daemon")
            try:
                with Pyro5.api.Proxy("PYRO:cb@127.0.0.1:%d" % relay.port) as p:
                    p._pyroTimeout = 5
                    out["echo"] = describe_outcome(lambda: p.echo("hi"))
            finally:
                relay.close()
                daemon.close()


def client_decoding_observations(store):
    """What Pyro5's client-side deserializer makes of class dicts a foreign daemon might send."""
    import Pyro5.serializers
    json_serializer = Pyro5.serializers.serializers["json"]
    cases = [
        ("decode_pyro4_exception", {"__class__": "Pyro4.errors.NamingError", "__exception__": True,
                                    "args": ["x"], "attributes": {}}),
        ("decode_unknown_pyro5_error", {"__class__": "Pyro5.errors.NoSuchError", "__exception__": True,
                                        "args": ["x"], "attributes": {}}),
        ("decode_short_builtin_name", {"__class__": "ValueError", "__exception__": True, "args": ["x"],
                                       "attributes": {}}),
        ("decode_pyro4_uri", {"__class__": "Pyro4.core.URI", "state": ["PYRO", "x", None, "127.0.0.1", 1]}),
        ("decode_proxy_state_pyro4_length", {"__class__": "Pyro5.client.Proxy",
                                             "state": ["PYRO:x@127.0.0.1:1", [], [], [], 0.0, None, "hello", 0,
                                                       None]}),
        ("decode_exception_wrapper_pyro4", {"__class__": "Pyro4.futures._ExceptionWrapper",
                                            "exception": {"__class__": "builtins.ValueError", "__exception__": True,
                                                          "args": ["x"], "attributes": {}}}),
    ]
    for name, value in cases:
        data = json.dumps(value).encode()
        store.observe(name, "Pyro5.serializers json loads(%s)" % data.decode(),
                      describe_outcome(lambda: json_serializer.loads(data)))


def environment_observations(store, pyro5_path):
    """Pyro5 refuses unknown PYRO_* variables at import: a Pyro4 environment can break it."""
    for name, value in (("PYRO_SERIALIZERS_ACCEPTED", "serpent,json"), ("PYRO_HMAC_KEY", "secret")):
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYRO_")}
        env.update({"PYTHONPATH": pyro5_path, name: value})
        run = subprocess.run(["/usr/bin/python3", "-c", "import Pyro5.api"], env=env, capture_output=True,
                             text=True, timeout=30)
        lines = (run.stderr.strip() or "imported").splitlines()
        store.observe("env_" + name.lower(), "import Pyro5.api with %s=%s set" % (name, value), lines[-1])


def thread_owner_observation(store, ports):
    """A Pyro5 proxy used from a thread other than the one that created it."""
    proxy = Pyro5.api.Proxy("PYRO:lab@127.0.0.1:%d" % ports["lab"])
    result = {}
    worker = threading.Thread(target=lambda: result.update(outcome=describe_outcome(lambda: proxy.echo(1))))
    worker.start()
    worker.join(timeout=10)
    proxy._pyroRelease()
    store.observe("proxy_other_thread", "a proxy created in one thread, called from another", result["outcome"])
