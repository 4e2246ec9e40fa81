"""The PyTorch peer of the GPU bench (issue 22): the same searches on the same bytes the QueryLake bench wrote.

Cosine top-10 as a PyTorch user writes it: row norms computed once (as QueryLake does when it loads a column), then
per query a matrix-vector or matrix-matrix product (torch.mv / torch.mm, fp32, TF32 off), a division by the norms and
torch.topk. The 10% filter keeps rows whose index is 3 modulo 10 (masked to -inf before top-k). Timings are CUDA-event
medians; the single-probe rate is set against the 4.8 TB/s of HBM3e and a device-to-device copy measured here.
"""
import argparse
import statistics

import numpy as np
import torch

parser = argparse.ArgumentParser()
parser.add_argument("--sizes", default="1000000x768,10000000x128")
parser.add_argument("--probes", type=int, default=1000)
parser.add_argument("--repeat", type=int, default=20)
parser.add_argument("--data", default="/tmp/gpu-bench")
args = parser.parse_args()
K = 10
torch.backends.cuda.matmul.allow_tf32 = False
device = torch.device("cuda")


def median_ms(fn, repeat):
    times = []
    for _ in range(repeat):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end))
    return statistics.median(times)


print(f"torch {torch.__version__}, {torch.cuda.get_device_name(0)}")
# The copy limit measured here: 4 GB device to device (read + write).
buffer = torch.empty(1 << 30, dtype=torch.float32, device=device)
copy = torch.empty_like(buffer)
copy_ms = median_ms(lambda: copy.copy_(buffer), 5)
print(f"device copy: {2 * buffer.numel() * 4 / copy_ms / 1e6:.0f} GB/s (read + write)")
del buffer, copy

for size in args.sizes.split(","):
    rows, dims = (int(x) for x in size.split("x"))
    print(f"\n== {rows:,} x {dims} float32, top-{K}, cosine ==")
    x = torch.from_numpy(np.fromfile(f"{args.data}/vectors_{rows}x{dims}.f32", dtype=np.float32).reshape(rows, dims)).to(device)
    probes = torch.from_numpy(np.fromfile(f"{args.data}/probes_{args.probes}x{dims}.f32", dtype=np.float32).reshape(args.probes, dims)).to(device)
    norms = x.norm(dim=1)
    mask = (torch.arange(rows, device=device) % 10) == 3
    q = probes[0]
    bytes_ = rows * dims * 4

    def single():
        return torch.topk(torch.mv(x, q) / (norms * q.norm()), K)

    def filtered():
        scores = torch.mv(x, q) / (norms * q.norm())
        return torch.topk(scores.masked_fill(~mask, float("-inf")), K)

    def batched():
        for start in range(0, args.probes, 250):
            p = probes[start:start + 250]
            torch.topk(torch.mm(x, p.T) / (norms[:, None] * p.norm(dim=1)[None, :]), K, dim=0)

    single()
    ms = median_ms(single, args.repeat)
    print(f"torch single-probe top-{K}: {ms:.3f} ms median of {args.repeat}, {bytes_ / ms / 1e6:.0f} GB/s = {bytes_ / ms / 1e6 / 4800:.1%} of 4800 GB/s")
    ms = median_ms(filtered, args.repeat)
    print(f"torch single-probe top-{K}, 10% filter: {ms:.3f} ms median of {args.repeat}")
    batched()
    ms = median_ms(batched, 3)
    print(f"torch {args.probes}-probe top-{K}: {ms:.1f} ms median of 3, {args.probes / ms * 1e3:.0f} probes/s, {2 * rows * dims * args.probes / ms / 1e9:.2f} TFLOP/s")
    top = single()
    print(f"torch top rows of probe 0: {top.indices.tolist()}")
    del x, probes, norms, mask
    torch.cuda.empty_cache()
