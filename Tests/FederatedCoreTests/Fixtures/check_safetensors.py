#!/usr/bin/env python3
"""Loads a safetensors file written by Cumulus with the reference Python `safetensors` package
and prints what it found as JSON, so a Swift test can compare it with what it wrote.

Usage: python3 check_safetensors.py FILE

Checks (exit status 1 with the reason on stderr if any fails):
  * `safetensors.numpy.load_file` loads every tensor NumPy has a dtype for (all but BF16), and
    the arrays equal the raw bytes `safetensors.deserialize` returns;
  * re-serializing the raw tensors with `safetensors.serialize` gives back the file byte for byte
    (`reserialized_identical`; only meaningful with at most one metadata key, since the Rust
    writer keeps metadata in a HashMap and orders several keys arbitrarily).
Prints: {"metadata": {...}, "order": [names in data order], "reserialized_identical": bool,
         "tensors": {name: {"dtype": "F32", "shape": [...], "bits": ["3f800000", ...]}}}
"""
import json
import sys

import numpy as np
import safetensors
from safetensors import TensorSpec, safe_open
from safetensors.numpy import load_file

STORAGE = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "BF16": np.uint16}
SPEC_NAMES = {"F32": "float32", "F64": "float64", "F16": "float16", "BF16": "bfloat16"}


def hexes(array: np.ndarray) -> list:
    unsigned = {2: np.uint16, 4: np.uint32, 8: np.uint64}[array.dtype.itemsize]
    width = array.dtype.itemsize * 2
    return [format(int(v), f"0{width}x") for v in np.ascontiguousarray(array).view(unsigned).ravel()]


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: check_safetensors.py FILE", file=sys.stderr)
        return 2
    path = sys.argv[1]
    with open(path, "rb") as handle:
        data = handle.read()

    raw = dict(safetensors.deserialize(data))
    with safe_open(path, framework="np") as handle:
        metadata = handle.metadata() or {}
        order = list(handle.offset_keys()) if hasattr(handle, "offset_keys") else None

    has_bf16 = any(entry["dtype"] == "BF16" for entry in raw.values())
    if has_bf16:
        # NumPy has no bfloat16, so load_file would fail on the whole file; load the rest one by one.
        loaded = {}
        with safe_open(path, framework="np") as handle:
            for name, entry in raw.items():
                if entry["dtype"] != "BF16":
                    loaded[name] = handle.get_tensor(name)
    else:
        loaded = load_file(path)

    tensors = {}
    keep_alive = []
    specs = {}
    for name, entry in raw.items():
        dtype = entry["dtype"]
        if dtype not in STORAGE:
            raise SystemExit(f"tensor {name!r}: unexpected dtype {dtype}")
        values = np.frombuffer(bytes(entry["data"]), dtype=STORAGE[dtype]).reshape(entry["shape"])
        if dtype != "BF16":
            array = loaded[name]
            if array.dtype != values.dtype or list(array.shape) != list(entry["shape"]):
                raise SystemExit(f"tensor {name!r}: load_file gave {array.dtype} {array.shape}")
            if array.tobytes() != values.tobytes():
                raise SystemExit(f"tensor {name!r}: load_file values differ from the raw bytes")
        tensors[name] = {"dtype": dtype, "shape": entry["shape"], "bits": hexes(values)}
        contiguous = np.ascontiguousarray(values)
        keep_alive.append(contiguous)
        specs[name] = TensorSpec(dtype=SPEC_NAMES[dtype], shape=list(entry["shape"]),
                                 data_ptr=contiguous.ctypes.data, data_len=contiguous.nbytes)

    reserialized = bytes(safetensors.serialize(specs, metadata=metadata or None))
    header_length = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + header_length])
    if order is None:
        order = sorted((k for k in header if k != "__metadata__"), key=lambda k: header[k]["data_offsets"])
    print(json.dumps({
        "metadata": metadata,
        "order": order,
        "reserialized_identical": reserialized == data,
        "tensors": tensors,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
