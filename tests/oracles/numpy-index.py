# NumPy (Debian's python3-numpy), the independent reference for QueryLake's TENSOR indexing.
# Reads JSON cases [{"shape": [..], "entries": [{"index": i} | {"from": a, "to": b, "step": s}]}] on stdin and
# prints, for each case, the flat row-major positions NumPy's basic indexing selects, and the result's shape.
import json, sys
import numpy as np

out = []
for case in json.load(sys.stdin):
    shape = case["shape"]
    t = np.arange(int(np.prod(shape))).reshape(shape)
    key = tuple(e["index"] if "index" in e else slice(e.get("from"), e.get("to"), e.get("step")) for e in case["entries"])
    r = np.asarray(t[key])
    out.append({"positions": r.reshape(-1).tolist(), "shape": list(r.shape)})
print(json.dumps(out))
