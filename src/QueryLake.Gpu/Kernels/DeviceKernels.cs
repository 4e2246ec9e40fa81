using ILGPU;
using ILGPU.Algorithms;

namespace QueryLake.Gpu.Kernels;

/// <summary>
/// The device code of the similarity kernel, as ILGPU kernels (PTX on CUDA; ILGPU's CPU accelerator runs the same code
/// in tests). Distances are written as sortable 32-bit keys (<see cref="Key"/>), so top-k is a radix select over keys:
/// a per-probe histogram of one byte per round narrows to the k-th key, then the rows at or under it are collected.
/// Only those rows leave the device.
/// </summary>
internal static class DeviceKernels
{
    /// <summary>The key of a row that is no candidate (invalid, unselected, or a NaN distance): above every real key.</summary>
    public const uint Excluded = 0xFFFFFFFF;

    /// <summary>A distance as an unsigned key whose order is the float order (−0 as +0); NaN is <see cref="Excluded"/>,
    /// or 0 (before every other) with <paramref name="nanFirst"/>.</summary>
    public static uint Key(float distance, int nanFirst)
    {
        if (XMath.IsNaN(distance)) return nanFirst != 0 ? 0u : Excluded;
        if (distance == 0f) distance = 0f;
        uint bits = Interop.FloatAsInt(distance);
        return (bits & 0x80000000u) != 0 ? ~bits : bits | 0x80000000u;
    }

    /// <summary>The distance of a key (the inverse of <see cref="Key"/>; NaN for key 0).</summary>
    public static float Distance(uint key) =>
        BitConverter.UInt32BitsToSingle((key & 0x80000000u) != 0 ? key & 0x7FFFFFFFu : ~key);

    /// <summary>The distance from the accumulated sum, as <c>CpuSimilarityKernel.Distance</c> finishes it: the sum is
    /// x·y (cosine, inner product) or Σ(x − y)² (L2); squares are ‖x‖² and ‖y‖².</summary>
    private static float Finish(float sum, float rowSquare, float probeSquare, int metric) => metric switch
    {
        0 => 1 - sum / (XMath.Sqrt(rowSquare) * XMath.Sqrt(probeSquare)),
        1 => -sum,
        _ => XMath.Sqrt(sum),
    };

    /// <summary>Whether a row is a candidate by the mask (bit set), or every row is when there is no mask.</summary>
    private static bool Candidate(ArrayView<uint> mask, int hasMask, int row) =>
        hasMask == 0 || (mask[row >> 5] & (1u << (row & 31))) != 0;

    /// <summary>‖x‖² of every row (once, when a column is loaded): one thread per row.</summary>
    public static void Squares(Index1D row, ArrayView<float> vectors, ArrayView<float> squares, int dims)
    {
        float sum = 0;
        int index = row;
        long start = (long)index * dims;
        for (int d = 0; d < dims; d++)
        {
            float x = vectors[start + d];
            sum += x * x;
        }
        squares[row] = sum;
    }

    /// <summary>One probe against every row: a warp per row, its lanes reading consecutive floats (coalesced), summed
    /// by shuffles. Memory-bound: each row's bytes are read once. Explicitly grouped, grid-stride over rows.</summary>
    public static void ScoreOne(ArrayView<float> vectors, ArrayView<float> squares, ArrayView<uint> mask, ArrayView<float> probe,
        ArrayView<uint> keys, ScoreShape shape)
    {
        int lanes = Warp.WarpSize;
        int warpsPerGroup = Group.DimX / lanes;
        int totalWarps = Grid.DimX * warpsPerGroup;
        int lane = Warp.LaneIdx;
        for (int row = Grid.IdxX * warpsPerGroup + Warp.WarpIdx; row < shape.Count; row += totalWarps)
        {
            float sum = 0;
            long start = (long)row * shape.Dims;
            for (int d = lane; d < shape.Dims; d += lanes)
            {
                float x = vectors[start + d], y = probe[d];
                if (shape.Metric == 2)
                {
                    float diff = x - y;
                    sum += diff * diff;
                }
                else sum += x * y;
            }
            for (int offset = lanes / 2; offset > 0; offset /= 2) sum += Warp.ShuffleDown(sum, offset);
            if (lane == 0)
                keys[row] = Candidate(mask, shape.HasMask, row) ? Key(Finish(sum, squares[row], shape.ProbeSquare, shape.Metric), shape.NaNFirst) : Excluded;
        }
    }

    /// <summary>Many probes against every row as blocked tiles: a group computes a tile of rows × probes, both staged
    /// through shared memory a slice of dimensions at a time, so each float read from device memory serves a tile
    /// edge of products. Keys go to <c>keys[probe × count + row]</c>. The tile edge is <c>shape.Tile</c>; the group
    /// has tile² threads and 2 × tile² floats of dynamic shared memory.</summary>
    public static void ScoreTiles(ArrayView<float> vectors, ArrayView<float> squares, ArrayView<uint> mask, ArrayView<float> probes,
        ArrayView<float> probeSquares, ArrayView<uint> keys, ScoreShape shape)
    {
        var shared = SharedMemory.GetDynamic<float>();
        int t = shape.Tile;
        int thread = Group.IdxX, ty = thread / t, tx = thread % t;
        int rowBlock = Grid.IdxX % shape.RowBlocks, probeBlock = Grid.IdxX / shape.RowBlocks;
        int row = rowBlock * t + ty, probe = probeBlock * t + tx;
        int loadProbe = probeBlock * t + ty;
        float sum = 0;
        for (int d0 = 0; d0 < shape.Dims; d0 += t)
        {
            int d = d0 + tx;
            shared[ty * t + tx] = row < shape.Count && d < shape.Dims ? vectors[(long)row * shape.Dims + d] : 0;
            shared[t * t + ty * t + tx] = loadProbe < shape.Probes && d < shape.Dims ? probes[(long)loadProbe * shape.Dims + d] : 0;
            Group.Barrier();
            int n = XMath.Min(t, shape.Dims - d0);
            for (int j = 0; j < n; j++)
            {
                float x = shared[ty * t + j], y = shared[t * t + tx * t + j];
                if (shape.Metric == 2)
                {
                    float diff = x - y;
                    sum += diff * diff;
                }
                else sum += x * y;
            }
            Group.Barrier();
        }
        if (row < shape.Count && probe < shape.Probes)
            keys[(long)probe * shape.Count + row] = Candidate(mask, shape.HasMask, row)
                ? Key(Finish(sum, squares[row], probeSquares[probe], shape.Metric), shape.NaNFirst)
                : Excluded;
    }

    /// <summary>One round of the radix select: for each probe, how many of its keys that match its prefix above
    /// <c>shift + 8</c> bits have each value of the byte at <c>shift</c>. A group counts a part of one probe's keys in
    /// shared memory, then adds its counts to the probe's 256 bins.</summary>
    public static void Histogram(ArrayView<uint> keys, ArrayView<uint> prefixes, ArrayView<int> bins, SelectShape shape)
    {
        var local = SharedMemory.Allocate<int>(256);
        for (int b = Group.IdxX; b < 256; b += Group.DimX) local[b] = 0;
        Group.Barrier();
        int probe = Grid.IdxX / shape.BlocksPerProbe, part = Grid.IdxX % shape.BlocksPerProbe;
        uint high = shape.Shift == 24 ? 0u : 0xFFFFFFFFu << (shape.Shift + 8);
        uint prefix = prefixes[probe] & high;
        long start = (long)probe * shape.Count;
        for (int i = part * Group.DimX + Group.IdxX; i < shape.Count; i += shape.BlocksPerProbe * Group.DimX)
        {
            uint key = keys[start + i];
            if (key != Excluded && (key & high) == prefix) Atomic.Add(ref local[(int)((key >> shape.Shift) & 255)], 1);
        }
        Group.Barrier();
        for (int b = Group.IdxX; b < 256; b += Group.DimX)
            if (local[b] != 0) Atomic.Add(ref bins[probe * 256 + b], local[b]);
    }

    /// <summary>The rows whose key is at or under their probe's limit, in any order: each takes a slot of its probe's
    /// output by an atomic counter (slots past the capacity are counted, not written, and the host asks again).</summary>
    public static void Collect(Index1D index, ArrayView<uint> keys, ArrayView<uint> limits, ArrayView<int> counters, ArrayView<int> rows,
        ArrayView<uint> found, SelectShape shape)
    {
        int probe = index / shape.Count, row = index % shape.Count;
        uint key = keys[index];
        if (key == Excluded || key > limits[probe]) return;
        int slot = Atomic.Add(ref counters[probe], 1);
        if (slot >= shape.Capacity) return;
        rows[probe * shape.Capacity + slot] = row;
        found[probe * shape.Capacity + slot] = key;
    }
}
