#!/usr/bin/python3
"""
Capture real Pyro5 5.16 wire exchanges into test/vectors/pyro5-5.16/ (one .bin per message and
index.json). Loopback only; broadcast discovery is sent to 127.0.0.1 only.

    /usr/bin/python3 scripts/pyro5-capture/capture.py [--pyro5 PATH] [--base-port N]

Starts, all on 127.0.0.1: the Pyro5 lab daemon (test/vectors/pyro5-5.16/server/lab_server.py),
a second one with PYRO_COMPRESSION=true, a Pyro5 name server with broadcast responders
(server/ns_server.py), Pyro5's stock echo server, Pyro4 4.82's stock echo server, and for the
TLS checks a TLS lab daemon. Every one is stopped by its PID when the run ends, fails or is
interrupted. Needs Debian's python3-pyro4, python3-serpent, python3-msgpack and openssl; Pyro5
comes from ../shared/peers/Pyro5-5.16 (or --pyro5). The whole output directory except server/
and README.md is rewritten.
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(ROOT, "test", "vectors", "pyro5-5.16")
SERVER = os.path.join(OUT, "server")
DEFAULT_PYRO5 = os.path.normpath(os.path.join(ROOT, "..", "shared", "peers", "Pyro5-5.16"))


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pyro5", default=DEFAULT_PYRO5, help="directory holding the Pyro5 5.16 package")
    # Below Linux's ephemeral range (32768-60999), so no outgoing connection of another process
    # can hold one of these ports in TIME_WAIT.
    ap.add_argument("--base-port", type=int, default=29500,
                    help="first of the 9 consecutive loopback ports the peers use (default 29500)")
    return ap.parse_args()


def prepare_imports(pyro5):
    """Pyro4 and Pyro5 read PYRO_* variables at import: start them from loopback-only settings."""
    for key in [k for k in os.environ if k.startswith("PYRO_")]:
        del os.environ[key]
    os.environ.update({"PYRO_HOST": "127.0.0.1", "PYRO_NS_HOST": "127.0.0.1", "PYRO_BROADCAST_ADDRS": "127.0.0.1"})
    sys.path[:0] = [pyro5, SERVER, HERE]


def main():
    args = parse_args()
    prepare_imports(args.pyro5)
    import msgpack
    import serpent
    import Pyro4
    import Pyro5

    import interop_scenarios
    import processes
    import proxy_scenarios
    import raw_scenarios
    from store import Store

    if Pyro5.__version__ != "5.16":
        sys.exit("expected Pyro5 5.16 in %s, found %s" % (args.pyro5, Pyro5.__version__))
    base = args.base_port
    ports = {"ns": base, "lab": base + 1, "lab_compressing": base + 2, "echoserver": base + 3,
             "pyro4_echoserver": base + 4, "lab_tls": base + 5, "closed": base + 6, "bc": base + 7}
    busy = [p for p in range(base, base + 9) if not processes.port_is_free(p)]
    if busy:
        sys.exit("ports in use: %s (choose another --base-port)" % busy)

    env = processes.python_env(args.pyro5)
    python = "/usr/bin/python3"
    lab_server = os.path.join(SERVER, "lab_server.py")
    try:
        processes.start("ns", [python, os.path.join(SERVER, "ns_server.py"), "--port", str(ports["ns"]),
                               "--bcport", str(ports["bc"])], env, "READY")
        processes.start("lab", [python, lab_server, "--port", str(ports["lab"])], env, "READY")
        processes.start("lab_compressing", [python, lab_server, "--port", str(ports["lab_compressing"])],
                        dict(env, PYRO_COMPRESSION="true"), "READY")
        processes.start("echoserver", [python, "-m", "Pyro5.utils.echoserver", "-H", "127.0.0.1", "-p",
                                       str(ports["echoserver"])], env, "echoserver running")
        processes.start("pyro4_echoserver", [python, "-m", "Pyro4.test.echoserver", "-H", "127.0.0.1", "-p",
                                             str(ports["pyro4_echoserver"])], env, "echoserver running")

        store = Store(OUT)
        store.clear()
        for serializer in ("serpent", "marshal", "json", "msgpack"):
            proxy_scenarios.lab_scenarios(store, serializer, ports)
            proxy_scenarios.ns_scenarios(store, serializer, ports)
        for serializer in ("serpent", "json"):
            proxy_scenarios.echoserver_scenarios(store, serializer, ports)
        raw_scenarios.raw_scenarios(store, ports)
        interop_scenarios.crossgen_scenarios(store, ports)
        interop_scenarios.locate_by_broadcast(store, ports)
        interop_scenarios.minimal_daemon_scenarios(store)
        interop_scenarios.client_decoding_observations(store)
        interop_scenarios.environment_observations(store, args.pyro5)
        interop_scenarios.thread_owner_observation(store, ports)
        interop_scenarios.tls_observations(store, ports, env, lab_server)
    finally:
        processes.stop_all()

    store.save({
        "description": "Real Pyro5 5.16 wire messages on 127.0.0.1, recorded by scripts/pyro5-capture/capture.py: "
                       "through a TCP relay between the real Pyro5 (or Pyro4) Python client and a daemon "
                       "(client 'pyro5-proxy' / 'pyro4-proxy'), or sent by a raw socket client that builds "
                       "each message itself (client 'raw'). One file per message, exact bytes.",
        "pyro5_version": Pyro5.__version__,
        "pyro4_version": Pyro4.__version__,
        "protocol_version": 502,
        "python": sys.version.split()[0],
        "serpent_version": serpent.__version__,
        "msgpack_version": ".".join(map(str, msgpack.version)),
        "header_format": "big-endian '!4sHBBHHII16sHH' (40 bytes): magic 'PYRO', protocol version (502), "
                         "msg type (u8), serializer id (u8), flags, seq, data size (u32), annotations size "
                         "(u32), correlation id (16 bytes), reserved (0), magic number 0x4dc5",
        "annotation_chunk_format": "'!4sI' name (4 ASCII bytes) + u32 length, then the value bytes",
        "serializer_ids": {"1": "serpent", "2": "marshal", "3": "json", "4": "msgpack", "42": "PING (never decoded)"},
        "flags": {"1": "EXCEPTION", "2": "COMPRESSED", "4": "ONEWAY", "8": "BATCH", "16": "ITEMSTREAMRESULT",
                  "32": "KEEPSERIALIZED", "64": "CORR_ID"},
        "ports": dict(ports, note="URIs inside payloads hold these real ports; clients talked to relay ports "
                                  "(ephemeral), which never appear in payloads"),
        "servers_started_with": "PYTHONHASHSEED=0 (reproducible set ordering), PYRO_HOST=127.0.0.1, "
                                "PYRO_NS_HOST=127.0.0.1, PYRO_BROADCAST_ADDRS=127.0.0.1; lab_compressing "
                                "also PYRO_COMPRESSION=true",
        "nondeterministic_fields": "the correlation id a daemon puts in every reply header (uuid4 unless the "
                                   "request carried one), STRM stream ids, auto-proxy object ids (obj_<hex>), "
                                   "remote tracebacks (paths, line numbers), ephemeral relay ports in "
                                   "scenario outcomes",
        "layout": "<serializer|crossgen|broadcast|none>/<target>/<scenario>/<NN>_conn<C>_<c2s|s2c>_<TYPE>.bin; "
                  "TYPE is the message type, RAW for bytes that are not a complete Pyro message, UDP for a "
                  "datagram",
    })
    print("wrote %d messages in %d scenarios to %s" % (len(store.messages), len(store.scenarios), OUT))


if __name__ == "__main__":
    main()
