"""Minimal safetensors writer and reader (no safetensors package here): 8-byte LE header
length, JSON header, raw little-endian bytes. Tensors are numpy arrays (float32 / float64 /
uint8)."""
import json
import struct

import numpy as np

DTYPES = {np.dtype('float32'): 'F32', np.dtype('float64'): 'F64', np.dtype('uint8'): 'U8'}


def write_safetensors(path, tensors, metadata=None):
    header = {}
    chunks = []
    offset = 0
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name])
        raw = a.astype(a.dtype.newbyteorder('<'), copy=False).tobytes()
        header[name] = {
            'dtype': DTYPES[a.dtype],
            'shape': list(a.shape),
            'data_offsets': [offset, offset + len(raw)],
        }
        chunks.append(raw)
        offset += len(raw)
    if metadata:
        header['__metadata__'] = {k: str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(',', ':')).encode()
    text += b' ' * ((8 - len(text) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)


def read_safetensors(path):
    """(tensors as numpy arrays by name, metadata) of a file of the dtypes above."""
    with open(path, 'rb') as f:
        data = f.read()
    (length,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + length])
    metadata = header.pop('__metadata__', {})
    by_name = {v: k for k, v in DTYPES.items()}
    tensors = {}
    for name, entry in header.items():
        begin, end = entry['data_offsets']
        raw = data[8 + length + begin:8 + length + end]
        dtype = by_name[entry['dtype']].newbyteorder('<')
        tensors[name] = np.frombuffer(raw, dtype=dtype).reshape(entry['shape']).copy()
    return tensors, metadata
