"""
The peer processes a capture run starts (Pyro5 lab daemons, a Pyro5 name server, a Pyro4
daemon), each bound to 127.0.0.1 and stopped by its PID: by `stop_all()` in the run's
`finally`, and by an atexit/signal hook as a last resort.
"""
import atexit
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

_running = []


def python_env(pyro5_path, extra=None):
    """Environment for children: no stray PYRO_* settings, loopback name-server settings,
    reproducible set ordering, and Pyro5 importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYRO_")}
    env.update({
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "PYTHONPATH": pyro5_path,
        "PYRO_HOST": "127.0.0.1",
        "PYRO_NS_HOST": "127.0.0.1",
        "PYRO_BROADCAST_ADDRS": "127.0.0.1",
    })
    env.update(extra or {})
    return env


def port_is_free(port):
    """True unless something listens on 127.0.0.1:port (TIME_WAIT leftovers do not count: the
    peers bind with SO_REUSEADDR too)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def start(name, args, env, ready_line, timeout=15.0):
    """Start `args` with its output going to a temporary log file; wait for a line starting with
    `ready_line`. Returns (Popen, that line)."""
    log = tempfile.NamedTemporaryFile(prefix="pyro5-capture-%s-" % name, suffix=".log", delete=False)
    proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    proc.log_path = log.name
    log.close()
    _running.append((name, proc))
    deadline = time.time() + timeout
    while time.time() < deadline:
        with open(proc.log_path, "rb") as f:
            output = f.read().decode("utf-8", "replace")
        for line in output.splitlines():
            if line.strip().startswith(ready_line):
                return proc, line.strip()
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    stop_all()
    raise RuntimeError("%s did not become ready:\n%s" % (name, output))


def stop(proc):
    """Stop one process by its PID: SIGTERM, then SIGKILL after 3 s."""
    _running[:] = [(n, p) for n, p in _running if p is not proc]
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=3)
    if os.path.exists(proc.log_path):
        os.remove(proc.log_path)


def stop_all():
    while _running:
        stop(_running[-1][1])


def _on_signal(signum, frame):
    stop_all()
    sys.exit(128 + signum)


atexit.register(stop_all)
signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGINT, _on_signal)
