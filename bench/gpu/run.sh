#!/usr/bin/env bash
# The device run of issue 22, as one script: on the GPU machine, from the repository root, after bench/gpu/publish.sh
# was run here and bench/gpu/publish is carried:
#   bash bench/gpu/run.sh            (writes $OUT/gpu.txt; sizes: 1M x 768 and 10M x 128 float32)
# The QueryLake GPU kernel (ILGPU on CUDA) and the CPU path, then PyTorch on the same device and the same bytes.
set -uo pipefail
OUT=${OUT:-/tmp/gpu-out}
DATA=${DATA:-/tmp/gpu-bench}
SIZES=${SIZES:-1000000x768,10000000x128}
PROBES=${PROBES:-1000}
mkdir -p "$OUT" "$DATA"
export PYTHONUNBUFFERED=1
{
  echo "# bench/gpu/run.sh, $(date -u +%FT%TZ)"
  nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm,clocks.max.mem --format=csv 2>&1
  echo
  echo "## QueryLake (ILGPU CUDA kernel; CPU path on this machine's cores)"
  timeout 330 ./bench/gpu/publish/QueryLake.GpuBench --sizes "$SIZES" --probes "$PROBES" --repeat 20 --data "$DATA" 2>&1
  echo "exit: $?"
  echo
  echo "## PyTorch (the peer), same device, same bytes"
  timeout 200 python3 bench/gpu/torch_peer.py --sizes "$SIZES" --probes "$PROBES" --repeat 20 --data "$DATA" 2>&1
  echo "exit: $?"
} 2>&1 | tee "$OUT/gpu.txt"
