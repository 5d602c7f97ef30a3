"""
Recording the bytes of an exchange: a logging TCP relay (for real Python clients), a raw TCP
client, and UDP datagrams. Everything goes into one Recorder per scenario, in arrival order.
Loopback only: every socket binds or connects to 127.0.0.1.
"""
import itertools
import socket
import threading

import wire

LOOPBACK = "127.0.0.1"


class Recorder:
    """Ordered chunks (connection, direction, bytes) of one scenario, and how connections ended."""

    def __init__(self):
        self._lock = threading.Lock()
        self._order = itertools.count()
        self._connections = itertools.count()
        self.chunks = []  # (order, connection, direction, bytes, transport)
        self.endings = {}  # connection -> dict
        self.labels = {}  # connection -> label

    def new_connection(self, label):
        with self._lock:
            connection = next(self._connections)
            self.labels[connection] = label
            return connection

    def record(self, connection, direction, data, transport="tcp"):
        with self._lock:
            self.chunks.append((next(self._order), connection, direction, bytes(data), transport))

    def ended(self, connection, **how):
        with self._lock:
            self.endings.setdefault(connection, {}).update(how)

    def pieces(self):
        """Messages (or raw pieces) in the order their first byte was seen:
        (order, connection, direction, bytes, complete, transport)."""
        streams = {}
        for order, connection, direction, data, transport in self.chunks:
            if transport == "udp":
                streams[(order, connection, direction, transport)] = [(order, data)]
            else:
                streams.setdefault((None, connection, direction, transport), []).append((order, data))
        result = []
        for (_, connection, direction, transport), parts in streams.items():
            if transport == "udp":
                order, data = parts[0]
                result.append((order, connection, direction, data, True, transport))
                continue
            data = b"".join(p for _, p in parts)
            starts = []  # (offset, order of the chunk that holds this offset)
            offset = 0
            for order, part in parts:
                starts.append((offset, order))
                offset += len(part)
            for start, piece, complete in wire.split_stream(data):
                order = max(o for s, o in starts if s <= start)
                result.append((order, connection, direction, piece, complete, transport))
        result.sort(key=lambda r: (r[0], r[1], r[2]))
        return result


class Relay:
    """A TCP relay on 127.0.0.1:<ephemeral> in front of 127.0.0.1:<target>, recording both directions."""

    def __init__(self, recorder, target_port, label):
        self.recorder = recorder
        self.target_port = target_port
        self.label = label
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.bind((LOOPBACK, 0))
        self.server.listen(16)
        self.port = self.server.getsockname()[1]
        self._threads = []
        self._sockets = []
        self._closed = False
        accept = threading.Thread(target=self._accept, daemon=True)
        accept.start()
        self._threads.append(accept)

    def _accept(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            if self._closed:
                client.close()
                return
            upstream = socket.create_connection((LOOPBACK, self.target_port))
            self._sockets += [client, upstream]
            connection = self.recorder.new_connection(self.label)
            state = {"first_close": None}
            for src, dst, direction in ((client, upstream, "c2s"), (upstream, client, "s2c")):
                t = threading.Thread(target=self._pump, args=(src, dst, direction, connection, state), daemon=True)
                t.start()
                self._threads.append(t)

    def _pump(self, src, dst, direction, connection, state):
        side = "client" if direction == "c2s" else "server"
        while True:
            try:
                data = src.recv(65536)
            except OSError as e:
                data = b""
                self.recorder.ended(connection, **{side + "_error": type(e).__name__})
            if not data:
                if state["first_close"] is None:
                    state["first_close"] = side
                    self.recorder.ended(connection, closed_first_by=side)
                try:
                    dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            self.recorder.record(connection, direction, data)
            try:
                dst.sendall(data)
            except OSError:
                return

    def close(self):
        """Stop accepting; give open connections a moment to finish, then cut them."""
        self._closed = True
        try:
            self.server.close()
        except OSError:
            pass
        for t in self._threads[1:]:
            t.join(timeout=2)
        for s in self._sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for t in self._threads[1:]:
            t.join(timeout=2)
        for s in self._sockets:
            s.close()


class RawConnection:
    """A plain TCP client that sends bytes and reads whole messages, recording everything."""

    def __init__(self, recorder, port, label, timeout=5.0):
        self.recorder = recorder
        self.sock = socket.create_connection((LOOPBACK, port), timeout=timeout)
        self.connection = recorder.new_connection(label)

    def send(self, data):
        self.recorder.record(self.connection, "c2s", data)
        self.sock.sendall(data)

    def _read(self, n):
        data = b""
        while len(data) < n:
            part = self.sock.recv(n - len(data))
            if not part:
                raise EOFError("connection closed after %d of %d bytes" % (len(data), n))
            self.recorder.record(self.connection, "s2c", part)
            data += part
        return data

    def receive(self):
        """Read exactly one reply message (either generation). Returns (info, payload)."""
        head = self._read(6)
        generation = wire.generation_of(head)
        header_size = {"pyro5": wire.PYRO5_HEADER.size, "pyro4": wire.PYRO4_HEADER.size}.get(generation)
        if header_size is None:
            raise ValueError("reply is not a Pyro message: %r" % head)
        head += self._read(header_size - 6)
        head += self._read(wire.message_length(head) - header_size)
        return wire.describe(head)

    def exchange(self, data):
        self.send(data)
        return self.receive()

    def expect_close(self, wait=2.0):
        """Read until the peer closes (or `wait` seconds pass); records what came and how it ended."""
        self.sock.settimeout(wait)
        try:
            while True:
                part = self.sock.recv(65536)
                if not part:
                    self.recorder.ended(self.connection, closed_first_by="server")
                    return "closed"
                self.recorder.record(self.connection, "s2c", part)
        except socket.timeout:
            self.recorder.ended(self.connection, still_open_after_s=wait)
            return "open"
        except ConnectionResetError:
            self.recorder.ended(self.connection, closed_first_by="server", server_error="ConnectionResetError")
            return "reset"

    def close(self):
        if "closed_first_by" not in self.recorder.endings.get(self.connection, {}):
            self.recorder.ended(self.connection, closed_first_by="client")
        self.sock.close()


class UdpRelay:
    """A UDP relay on 127.0.0.1:<ephemeral> in front of 127.0.0.1:<target>, recording datagrams."""

    def __init__(self, recorder, target_port, label):
        self.recorder = recorder
        self.target = (LOOPBACK, target_port)
        self.front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.front.bind((LOOPBACK, 0))
        self.back = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.back.bind((LOOPBACK, 0))
        self.port = self.front.getsockname()[1]
        self.connection = recorder.new_connection(label)
        self._client = None
        self._running = True
        self._threads = [threading.Thread(target=self._forward, daemon=True),
                         threading.Thread(target=self._backward, daemon=True)]
        for t in self._threads:
            t.start()

    def _forward(self):
        self.front.settimeout(0.2)
        while self._running:
            try:
                data, addr = self.front.recvfrom(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            self._client = addr
            self.recorder.record(self.connection, "c2s", data, transport="udp")
            self.back.sendto(data, self.target)

    def _backward(self):
        self.back.settimeout(0.2)
        while self._running:
            try:
                data, _ = self.back.recvfrom(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            self.recorder.record(self.connection, "s2c", data, transport="udp")
            if self._client is not None:
                self.front.sendto(data, self._client)

    def close(self):
        self._running = False
        for t in self._threads:
            t.join(timeout=2)
        self.front.close()
        self.back.close()


def udp_request(recorder, port, data, label, wait=1.0):
    """Send one datagram to 127.0.0.1:port and record it and the reply (if any within `wait` s)."""
    connection = recorder.new_connection(label)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((LOOPBACK, 0))
        sock.settimeout(wait)
        recorder.record(connection, "c2s", data, transport="udp")
        sock.sendto(data, (LOOPBACK, port))
        try:
            reply, _ = sock.recvfrom(1000)
        except socket.timeout:
            recorder.ended(connection, no_reply_within_s=wait)
            return None
        recorder.record(connection, "s2c", reply, transport="udp")
        return reply
