#!/usr/bin/env python3
"""Writes the safetensors fixtures FederatedCoreTests reads, with the Python `safetensors`
package (its Rust writer), plus safetensors_fixtures.json describing the exact expected bits.

Run from anywhere:  python3 Tests/FederatedCoreTests/Fixtures/make_safetensors_fixtures.py
Requirements: requirements.txt (safetensors, numpy).

Files (all tiny):
  mixed_dtypes.safetensors   F32, F16, BF16, F64, a scalar, an empty tensor, names that need
                             JSON escaping, one metadata key (so Rust's output order is fixed)
  model_f32.safetensors      a small two-layer model written with safetensors.numpy.save_file
  multi_metadata.safetensors three metadata keys (the Rust writer keeps them in a HashMap, so
                             their order in this file changes each time the script runs)
  nonfinite.safetensors      a NaN in F32 and an infinity in F16
  int64.safetensors          an I64 tensor (unsupported by Cumulus: must be refused by name)
  empty.safetensors          no tensors at all

The expected values in the JSON are bit patterns in hex: "bits" are the stored elements,
"float32_bits" what each element is as float32 according to NumPy (astype(np.float32) for
F16/F64; BF16 is the top half of a float32, so bits << 16).

conversions: float32 inputs with NumPy's float16 bits (astype(np.float16), round-to-nearest-even)
and bfloat16 bits computed with PyTorch's rule (c10::BFloat16 round_to_nearest_even: NaN becomes
0x7FC0, else (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16). NumPy has no bfloat16, so that rule is
re-implemented here in NumPy integer arithmetic.
"""
import json
import os

import numpy as np
import safetensors
from safetensors import TensorSpec
from safetensors.numpy import save_file

HERE = os.path.dirname(os.path.abspath(__file__))


def bf16_bits(values: np.ndarray) -> np.ndarray:
    """float32 -> bfloat16 bits, PyTorch's round-to-nearest-even."""
    bits = values.astype(np.float32).view(np.uint32).astype(np.uint64)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)
    return np.where(np.isnan(values), np.uint16(0x7FC0), rounded).astype(np.uint16)


def spec(array: np.ndarray, dtype: str) -> TensorSpec:
    return TensorSpec(dtype=dtype, shape=list(array.shape), data_ptr=array.ctypes.data, data_len=array.nbytes)


def hexes(array: np.ndarray) -> list:
    width = array.dtype.itemsize * 2
    unsigned = {2: np.uint16, 4: np.uint32, 8: np.uint64}[array.dtype.itemsize]
    return [format(int(v), f"0{width}x") for v in np.ascontiguousarray(array).view(unsigned).ravel()]


def describe(path: str) -> dict:
    """Reads the file back with safetensors and records every tensor's bits."""
    with open(path, "rb") as handle:
        data = handle.read()
    header_length = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + header_length])
    tensors = []
    for name, raw in safetensors.deserialize(data):
        dtype = raw["dtype"]
        storage = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "BF16": np.uint16, "I64": np.int64}[dtype]
        values = np.frombuffer(bytes(raw["data"]), dtype=storage)
        entry = {"name": name, "dtype": dtype, "shape": raw["shape"], "bits": hexes(values)}
        if dtype == "BF16":
            entry["float32_bits"] = hexes((values.astype(np.uint32) << 16).view(np.float32))
        elif dtype in ("F32", "F16", "F64"):
            entry["float32_bits"] = hexes(values.astype(np.float32))
        entry["data_offsets"] = header[name]["data_offsets"]
        tensors.append(entry)
    tensors.sort(key=lambda entry: entry["data_offsets"])
    return {"metadata": dict(sorted(header.get("__metadata__", {}).items())), "tensors": tensors, "size": len(data)}


def main() -> None:
    rng = np.random.default_rng(20251121)
    files = {}

    # 1. Every supported dtype through the low-level serializer (the only way to write BF16
    #    without PyTorch), awkward names, one metadata key.
    weight = rng.normal(size=(2, 3)).astype(np.float32)
    weight[0, 1] = -0.0
    bias = np.array([0.5, -1.25, 1e-40], dtype=np.float32)  # 1e-40 is a float32 subnormal
    half = np.array([1.0, -2.5, 65504.0, 6e-8, 1e-3, -0.0], dtype=np.float32).astype(np.float16)
    brain = bf16_bits(np.array([[1.0, 3.14159265], [-1e-3, 1e30]], dtype=np.float32))
    double = np.array([[1 / 3, -2.5e-300], [1e10, 0.1]], dtype=np.float64)
    scalar = np.array(42.5, dtype=np.float32)
    empty = np.zeros((0, 3), dtype=np.float32)
    awkward = np.array([7.0], dtype=np.float32)
    arrays = {
        "dense.weight": (weight, "float32"),
        "dense.bias": (bias, "float32"),
        "half": (half, "float16"),
        "brain": (brain, "bfloat16"),
        "double": (double, "float64"),
        "scalar": (scalar, "float32"),
        "empty": (empty, "float32"),
        'quote"back\\slash\ttab/ünïcode': (awkward, "float32"),
    }
    blob = safetensors.serialize({k: spec(a, d) for k, (a, d) in arrays.items()}, metadata={"format": "pt"})
    with open(os.path.join(HERE, "mixed_dtypes.safetensors"), "wb") as handle:
        handle.write(blob)

    # 2. A plain float32 model through the NumPy front end, no metadata.
    model = {
        "layer0.weight": rng.normal(size=(4, 3)).astype(np.float32),
        "layer0.bias": rng.normal(size=(4,)).astype(np.float32),
        "layer1.weight": rng.normal(size=(2, 4)).astype(np.float32),
        "layer1.bias": rng.normal(size=(2,)).astype(np.float32),
    }
    save_file(model, os.path.join(HERE, "model_f32.safetensors"))

    # 3. Several metadata keys.
    save_file({"w": rng.normal(size=(2,)).astype(np.float32)}, os.path.join(HERE, "multi_metadata.safetensors"),
              metadata={"format": "np", "round": "3", "job": "cumulus-test"})

    # 4. Non-finite values.
    save_file({"bad": np.array([1.0, 2.0, np.nan, 4.0], dtype=np.float32),
               "inf16": np.array([1.0, np.inf], dtype=np.float16)},
              os.path.join(HERE, "nonfinite.safetensors"))

    # 5. A dtype Cumulus does not support.
    save_file({"ids": np.arange(3, dtype=np.int64)}, os.path.join(HERE, "int64.safetensors"))

    # 6. No tensors.
    save_file({}, os.path.join(HERE, "empty.safetensors"))

    for name in ["mixed_dtypes", "model_f32", "multi_metadata", "nonfinite", "int64", "empty"]:
        files[name + ".safetensors"] = describe(os.path.join(HERE, name + ".safetensors"))

    # Conversion table: float32 -> float16 / bfloat16 bits, including ties, overflow, subnormals.
    probes = np.array([
        0.0, -0.0, 1.0, -1.0, 0.1, 1 / 3, 65504.0, 65519.99, 65520.0, 1e5, -1e5,
        6.1035156e-05, 6.0975552e-05, 5.9604645e-08, 2.9802322e-08, 2.9802326e-08, 1e-8, 1e-40,
        1.0009765625, 1.00048828125, 1.00146484375,   # float16 halfway cases (tie to even)
        1.00390625, 1.01171875, 1.0078125,            # bfloat16 halfway cases
        3.4028235e38, 3.3961776e38, np.inf, -np.inf, np.nan, 123.456, -7.8125e-3,
    ], dtype=np.float32)
    probes = np.concatenate([probes, rng.normal(scale=100.0, size=16).astype(np.float32)])
    with np.errstate(over="ignore"):
        half_bits = probes.astype(np.float16)
    conversions = {
        "float32_bits": hexes(probes),
        "float16_bits": hexes(half_bits),
        "bfloat16_bits": hexes(bf16_bits(probes)),
    }

    fixture = {
        "generator": "make_safetensors_fixtures.py",
        "safetensors_version": safetensors.__version__,
        "numpy_version": np.__version__,
        "files": files,
        "conversions": conversions,
    }
    with open(os.path.join(HERE, "safetensors_fixtures.json"), "w") as handle:
        json.dump(fixture, handle, indent=1, ensure_ascii=False)
        handle.write("\n")


if __name__ == "__main__":
    main()
