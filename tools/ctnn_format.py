"""ctnn's weight file format (docs/format.md), model files (kind 1): read and write with Python's
standard library only. Shared by ctnn_torch.py and ctnn_embed.py.

A file is (scalar size, layers, tensors, buffers):
  layers   [(name, input dims, output dims, parameter count)]
  tensors  [(layer index, name, rows, cols, values)], values column-major, rows * cols of them
  buffers  the same for model memory that is not trained (BatchNormalization's moving statistics);
           version 2 added them, and a version 1 file has none
"""
import struct
import zlib

MAGIC = b"\x89CTNN\r\n\x1a"
VERSION = 2  # written; versions 1 and 2 are read
MODEL, CHECKPOINT = 1, 2
HEADER = struct.Struct("<IIQI")  # version, kind, file size, scalar size; after the magic


class FormatError(Exception):
    pass


def _values_format(scalar, count):
    if scalar not in (4, 8):
        raise FormatError(f"scalar size {scalar}; ctnn files hold 4 (float) or 8 (double)")
    return f"<{count}{'f' if scalar == 4 else 'd'}"


def read(path):
    """The model file at path, checked as ctnn::load checks its frame: magic, version, kind, size and
    checksum, then every read against the end."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise FormatError(f"{path}: {e.strerror}") from None
    if data[:8] != MAGIC:
        raise FormatError(f"{path}: not a ctnn file")
    if len(data) < 8 + HEADER.size + 4:
        raise FormatError(f"{path}: truncated ({len(data)} bytes)")
    version, kind, size, scalar = HEADER.unpack_from(data, 8)
    if version not in (1, VERSION):
        raise FormatError(f"{path}: format version {version}; this tool reads versions 1 to {VERSION}")
    if kind != MODEL:
        raise FormatError(f"{path}: a training checkpoint, not a model file (save the model with ctnn::save)")
    if size != len(data):
        raise FormatError(f"{path}: truncated or extended (its header says {size} bytes, it has {len(data)})")
    if zlib.crc32(data[:-4]) != struct.unpack_from("<I", data, len(data) - 4)[0]:
        raise FormatError(f"{path}: checksum mismatch")
    body = data[:-4]
    at = 8 + HEADER.size

    def get(fmt):
        nonlocal at
        if at + struct.calcsize(fmt) > len(body):
            raise FormatError(f"{path}: truncated at byte {at}")
        v = struct.unpack_from(fmt, body, at)
        at += struct.calcsize(fmt)
        return v

    def string():
        nonlocal at
        (n,) = get("<I")
        if at + n > len(body):
            raise FormatError(f"{path}: truncated at byte {at}")
        s = body[at:at + n].decode()
        at += n
        return s

    layers = []
    for _ in range(get("<I")[0]):
        name = string()
        ins = list(get(f"<{get('<I')[0]}I"))
        outs = list(get(f"<{get('<I')[0]}I"))
        layers.append((name, ins, outs, get("<Q")[0]))
    def tensor_list():
        out = []
        for _ in range(get("<I")[0]):
            (layer,) = get("<I")
            name = string()
            rows, cols = get("<II")
            out.append((layer, name, rows, cols, get(_values_format(scalar, rows * cols))))
        return out

    tensors = tensor_list()
    buffers = tensor_list() if version >= 2 else []
    if at != len(body):
        raise FormatError(f"{path}: {len(body) - at} unexpected bytes after the tensors")
    return scalar, layers, tensors, buffers


def write(path, layers, tensors, scalar=4, buffers=()):
    """Writes a model file (the current version); the layer records, tensors and buffers as read()
    returns them."""
    body = bytearray(struct.pack("<I", len(layers)))
    for name, ins, outs, params in layers:
        body += struct.pack("<I", len(name)) + name.encode()
        for dims in (ins, outs):
            body += struct.pack(f"<I{len(dims)}I", len(dims), *dims)
        body += struct.pack("<Q", params)
    for group in (tensors, buffers):
        body += struct.pack("<I", len(group))
        for layer, name, rows, cols, values in group:
            body += struct.pack("<I", layer) + struct.pack("<I", len(name)) + name.encode()
            body += struct.pack("<II", rows, cols) + struct.pack(_values_format(scalar, rows * cols), *values)
    data = MAGIC + HEADER.pack(VERSION, MODEL, 8 + HEADER.size + len(body) + 4, scalar) + bytes(body)
    with open(path, "wb") as f:
        f.write(data + struct.pack("<I", zlib.crc32(data)))
