# Writes .npy files with NumPy (Debian's python3-numpy) for QueryLake's reader tests, and prints each file's values
# as JSON (flattened row-major per row) with its shape and dtype.
# usage: python3 numpy-save.py <out-dir>
import json, os, sys
import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(7)
arrays = {
    "embeddings_f4": rng.standard_normal((300, 16)).astype("<f4"),
    "embeddings_f8": rng.standard_normal((5, 8)),
    "labels_i8": rng.integers(-1000, 1000, 70000),
    "big_endian_i2": np.array([3, -1, 2000], dtype=">i2"),
    "flags_bool": np.array([True, False, True]),
    "pixels_u1": rng.integers(0, 256, (4, 2, 3, 3), dtype=np.uint8),
    "fortran_f8": np.asfortranarray(rng.standard_normal((3, 4, 5))),
    "ints_2d": rng.integers(0, 9, (6, 3)).astype("<i4"),
}
summary = {}
for name, a in arrays.items():
    np.save(os.path.join(out, name + ".npy"), a)
    rows = a.reshape(a.shape[0], -1) if a.ndim > 1 else a.reshape(-1, 1)
    summary[name] = {"shape": list(a.shape), "dtype": a.dtype.str, "rows": [[v.item() for v in r] for r in rows]}
print(json.dumps(summary))
