"""
Wire formats for the capture tool, written from the spec (docs/pyro5-protocol.md), not
taken from Pyro: building Pyro5 (protocol 502) and Pyro4 (protocol 48) messages, and
splitting a recorded byte stream back into messages.
"""
import struct
import zlib

PYRO5_HEADER = struct.Struct("!4sHBBHHII16sHH")  # 40 bytes
PYRO5_ANNOTATION = struct.Struct("!4sI")
PYRO5_MAGIC_NUMBER = 0x4DC5
PYRO5_VERSION = 502

PYRO4_HEADER = struct.Struct("!4sHHHHiHHHH")  # 24 bytes
PYRO4_ANNOTATION = struct.Struct("!4sH")
PYRO4_VERSION = 48

MSG_TYPES = {1: "CONNECT", 2: "CONNECTOK", 3: "CONNECTFAIL", 4: "INVOKE", 5: "RESULT", 6: "PING"}

PYRO5_FLAGS = {0x01: "EXCEPTION", 0x02: "COMPRESSED", 0x04: "ONEWAY", 0x08: "BATCH",
               0x10: "ITEMSTREAMRESULT", 0x20: "KEEPSERIALIZED", 0x40: "CORR_ID"}
PYRO4_FLAGS = {0x01: "EXCEPTION", 0x02: "COMPRESSED", 0x04: "ONEWAY", 0x08: "BATCH",
               0x10: "META_ON_CONNECT", 0x20: "ITEMSTREAMRESULT", 0x40: "KEEPSERIALIZED"}

PYRO5_SERIALIZERS = {1: "serpent", 2: "marshal", 3: "json", 4: "msgpack"}
PYRO4_SERIALIZERS = {1: "serpent", 2: "json", 3: "marshal", 4: "pickle", 5: "dill", 6: "msgpack",
                     7: "cloudpickle"}

NO_CORRELATION = b"\0" * 16


def flag_names(flags, table):
    return [name for bit, name in sorted(table.items()) if flags & bit] + (
        ["0x%x" % (flags & ~sum(table))] if flags & ~sum(table) else [])


def pyro5_message(msg_type, serializer_id, seq, payload, flags=0, annotations=None,
                  correlation_id=None, compress_level=None):
    """A Pyro5 message: 40-byte header, annotation chunks (4-byte lengths), payload."""
    if compress_level is not None:
        payload = zlib.compress(payload, compress_level)
        flags |= 0x02
    if correlation_id is not None:
        flags |= 0x40
    chunks = b"".join(PYRO5_ANNOTATION.pack(k.encode("ascii"), len(v)) + v
                      for k, v in (annotations or {}).items())
    header = PYRO5_HEADER.pack(b"PYRO", PYRO5_VERSION, msg_type, serializer_id, flags, seq, len(payload),
                               len(chunks), correlation_id or NO_CORRELATION, 0, PYRO5_MAGIC_NUMBER)
    return header + chunks + payload


def pyro4_checksum(msg_type, version, data_size, annotations_size, serializer_id, flags, seq):
    return (msg_type + version + data_size + annotations_size + serializer_id + flags + seq + 0x34E9) & 0xFFFF


def pyro4_message(msg_type, serializer_id, seq, payload, flags=0, annotations=None):
    """A Pyro4 message: 24-byte header with checksum, annotation chunks (2-byte lengths), payload."""
    chunks = b"".join(PYRO4_ANNOTATION.pack(k.encode("ascii"), len(v)) + v
                      for k, v in (annotations or {}).items())
    checksum = pyro4_checksum(msg_type, PYRO4_VERSION, len(payload), len(chunks), serializer_id, flags, seq)
    header = PYRO4_HEADER.pack(b"PYRO", PYRO4_VERSION, msg_type, flags, seq, len(payload), serializer_id,
                               len(chunks), 0, checksum)
    return header + chunks + payload


def generation_of(data):
    """'pyro5', 'pyro4' or None from the first six bytes of a message."""
    if len(data) < 6 or data[:4] != b"PYRO":
        return None
    version = int.from_bytes(data[4:6], "big")
    return {PYRO5_VERSION: "pyro5", PYRO4_VERSION: "pyro4"}.get(version)


def message_length(data):
    """Total length of the message at the start of `data`, or None if it cannot be told yet/at all."""
    generation = generation_of(data)
    if generation == "pyro5" and len(data) >= PYRO5_HEADER.size:
        fields = PYRO5_HEADER.unpack_from(data)
        return PYRO5_HEADER.size + fields[7] + fields[6]
    if generation == "pyro4" and len(data) >= PYRO4_HEADER.size:
        fields = PYRO4_HEADER.unpack_from(data)
        return PYRO4_HEADER.size + fields[7] + fields[5]
    return None


def parse_annotations(block, chunk_struct):
    result = []
    i = 0
    while i < len(block):
        name, length = chunk_struct.unpack_from(block, i)
        i += chunk_struct.size
        result.append((name.decode("ascii"), block[i:i + length]))
        i += length
    return result


def describe(data):
    """Header fields, annotations and payload of one complete message (pyro5 or pyro4), as a dict."""
    generation = generation_of(data)
    if generation == "pyro5":
        (magic, version, msg_type, serializer_id, flags, seq, data_size, annotations_size, corr, reserved,
         magic_number) = PYRO5_HEADER.unpack_from(data)
        header_size = PYRO5_HEADER.size
        info = {
            "protocol": "pyro5", "magic": magic.decode(), "protocol_version": version,
            "msg_type": msg_type, "msg_type_name": MSG_TYPES.get(msg_type, "?"),
            "serializer_id": serializer_id, "serializer_name": PYRO5_SERIALIZERS.get(serializer_id),
            "flags": flags, "flag_names": flag_names(flags, PYRO5_FLAGS), "seq": seq,
            "data_size": data_size, "annotations_size": annotations_size,
            "correlation_id": corr.hex(), "reserved": reserved, "magic_number": magic_number,
        }
        annotations = parse_annotations(data[header_size:header_size + annotations_size], PYRO5_ANNOTATION)
    elif generation == "pyro4":
        (magic, version, msg_type, flags, seq, data_size, serializer_id, annotations_size, reserved,
         checksum) = PYRO4_HEADER.unpack_from(data)
        header_size = PYRO4_HEADER.size
        info = {
            "protocol": "pyro4", "magic": magic.decode(), "protocol_version": version,
            "msg_type": msg_type, "msg_type_name": MSG_TYPES.get(msg_type, "?"),
            "serializer_id": serializer_id, "serializer_name": PYRO4_SERIALIZERS.get(serializer_id),
            "flags": flags, "flag_names": flag_names(flags, PYRO4_FLAGS), "seq": seq,
            "data_size": data_size, "annotations_size": annotations_size, "reserved": reserved,
            "checksum": checksum,
            "checksum_ok": checksum == pyro4_checksum(msg_type, version, data_size, annotations_size,
                                                      serializer_id, flags, seq),
        }
        annotations = parse_annotations(data[header_size:header_size + annotations_size], PYRO4_ANNOTATION)
    else:
        raise ValueError("not a Pyro message")
    payload = data[header_size + info["annotations_size"]:]
    if len(payload) != info["data_size"]:
        raise ValueError("payload length %d does not match header %d" % (len(payload), info["data_size"]))
    info["annotations"] = [{"name": k, "length": len(v), "hex": v.hex()} for k, v in annotations]
    return info, payload


def split_stream(data):
    """Split one direction of a connection into messages; trailing bytes that are not a
    complete message (garbage, or a message cut short by the peer) come back as a raw piece."""
    pieces = []
    offset = 0
    while offset < len(data):
        length = message_length(data[offset:])
        if length is None or offset + length > len(data):
            pieces.append((offset, data[offset:], False))
            break
        pieces.append((offset, data[offset:offset + length], True))
        offset += length
    return pieces
