"""Minimal safetensors writer (no safetensors package here): 8-byte LE header length,
JSON header, raw little-endian bytes. Tensors are numpy arrays (float32 / float64 / uint8)."""
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
