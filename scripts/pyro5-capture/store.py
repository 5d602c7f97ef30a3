"""
Writing a capture run: one .bin file per message (exact bytes), and index.json describing
every file (parsed header, annotations, payload text/hex, decoded value) and every scenario
(what was done, by which client, and what the client got back).
"""
import contextlib
import hashlib
import json
import marshal
import os
import shutil
import traceback
import zlib

import msgpack
import serpent

import wire
from recording import Recorder

TEXT_SERIALIZERS = {"serpent", "json"}


def _decode(serializer, payload):
    if serializer == "serpent":
        return serpent.loads(payload)
    if serializer == "json":
        return json.loads(payload.decode("utf-8"))
    if serializer == "marshal":
        return marshal.loads(payload)
    if serializer == "msgpack":
        return msgpack.unpackb(payload, raw=False, strict_map_key=False)
    raise ValueError("no decoder for %r" % serializer)


def describe_outcome(fn):
    """Run fn(); 'value: <repr>' or 'raises <module>.<Class>: <message>'."""
    try:
        return "value: " + repr(fn())
    except Exception as e:  # the point is to record whatever the client raised
        t = type(e)
        return "raises %s.%s: %s" % (t.__module__, t.__qualname__, e)


class Store:
    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.scenarios = {}
        self.messages = []
        self.observations = []

    def clear(self):
        for name in os.listdir(self.out_dir) if os.path.isdir(self.out_dir) else []:
            path = os.path.join(self.out_dir, name)
            if name in ("server", "README.md"):
                continue
            if os.path.isdir(path):
                shutil.rmtree(path)
            else:
                os.remove(path)

    @contextlib.contextmanager
    def scenario(self, key, description, client, serializer, target):
        """Record one scenario under the directory `key` (e.g. 'serpent/lab/normal_call')."""
        if key in self.scenarios:
            raise ValueError("duplicate scenario " + key)
        recorder = Recorder()
        outcomes = {}
        error = None
        try:
            yield recorder, outcomes
        except Exception:
            error = traceback.format_exc()
            raise
        finally:
            if error is None:
                self._write(key, description, client, serializer, target, recorder, outcomes)

    def observe(self, name, description, result):
        """A live-verified fact that leaves no bytes worth storing (TLS, client-side errors)."""
        self.observations.append({"name": name, "description": description, "result": result})

    def _write(self, key, description, client, serializer, target, recorder, outcomes):
        files = []
        for index, (_, connection, direction, data, complete, transport) in enumerate(recorder.pieces()):
            entry = {
                "scenario": key, "client": client, "target": target, "serializer_used_by_client": serializer,
                "connection": connection, "connection_label": recorder.labels.get(connection),
                "index_in_scenario": index, "direction": direction, "transport": transport,
                "size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "complete": complete,
            }
            if transport == "udp":
                kind = "UDP"
                entry["text"] = data.decode("iso-8859-1")
            elif complete:
                info, payload = wire.describe(data)
                entry.update(info)
                kind = info["msg_type_name"]
                self._payload(entry, info, payload)
            else:
                kind = "RAW"
                entry["hex"] = data.hex()
                entry["text"] = data.decode("iso-8859-1")
            name = "%s/%02d_conn%d_%s_%s.bin" % (key, index, connection, direction, kind)
            entry["file"] = name
            path = os.path.join(self.out_dir, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
            files.append(name)
            self.messages.append(entry)
        self.scenarios[key] = {
            "description": description, "client": client, "serializer": serializer, "target": target,
            "message_count": len(files), "files": files,
            "connections": [dict(connection=c, label=recorder.labels[c], **recorder.endings.get(c, {}))
                            for c in sorted(recorder.labels)],
            "outcomes": outcomes,
        }

    @staticmethod
    def _payload(entry, info, payload):
        if info["flags"] & 0x02:  # COMPRESSED, the same bit in both generations
            entry["compressed_hex_prefix"] = payload[:2].hex()
            payload = zlib.decompress(payload)
            entry["decompressed_size"] = len(payload)
        serializer = info["serializer_name"]
        if info["msg_type"] == 6 or serializer is None:  # PING: never decoded
            entry["payload_hex"] = payload.hex()
            return
        if serializer in TEXT_SERIALIZERS:
            entry["payload_text"] = payload.decode("utf-8")
        else:
            entry["payload_hex"] = payload.hex()
        try:
            entry["decoded_python"] = repr(_decode(serializer, payload))
        except Exception as e:  # an undecodable payload is itself a captured fact
            entry["decode_error"] = "%s: %s" % (type(e).__name__, e)

    def save(self, header):
        index = dict(header)
        index["scenarios"] = self.scenarios
        index["observations"] = self.observations
        index["messages"] = self.messages
        with open(os.path.join(self.out_dir, "index.json"), "w", encoding="utf-8") as f:
            json.dump(index, f, indent=1, ensure_ascii=False)
            f.write("\n")
