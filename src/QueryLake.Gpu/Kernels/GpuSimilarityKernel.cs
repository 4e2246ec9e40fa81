using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using QueryLake.Kernels;
using QueryLake.Kernels.Similarity;

namespace QueryLake.Gpu.Kernels;

/// <summary>
/// The similarity kernel on an ILGPU accelerator. A column is loaded once into device memory (with its rows' squared
/// norms). A search scores every row against each probe on the device (<see cref="DeviceKernels.ScoreOne"/> for one
/// probe, memory-bound; <see cref="DeviceKernels.ScoreTiles"/> for many, as blocked tiles), as sortable keys; a radix
/// select of four one-byte rounds finds each probe's k-th key on the device, and only the rows at or under it come
/// back, to be put in (distance, row) order on the host. On CUDA this runs on the GPU; on ILGPU's CPU accelerator the
/// same kernels run in tests, against the SIMD reference.
/// </summary>
internal sealed class GpuSimilarityKernel : ISimilarityKernel, IDisposable
{
    /// <summary>The most bytes of per-search scratch (the keys of a probe tile); more probes run as more tiles.</summary>
    private const long ScratchBytes = 1L << 30;

    private readonly Context _context;
    private readonly Accelerator _accelerator;
    private readonly int _tile;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int> _squares;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<uint>, ArrayView<float>, ArrayView<uint>, ScoreShape> _scoreOne;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<uint>, ArrayView<float>, ArrayView<float>, ArrayView<uint>, ScoreShape> _scoreTiles;
    private readonly Action<KernelConfig, ArrayView<uint>, ArrayView<uint>, ArrayView<int>, SelectShape> _histogram;
    private readonly Action<Index1D, ArrayView<uint>, ArrayView<uint>, ArrayView<int>, ArrayView<int>, ArrayView<uint>, SelectShape> _collect;
    private readonly object _gate = new();

    private GpuSimilarityKernel(Context context, Accelerator accelerator)
    {
        (_context, _accelerator) = (context, accelerator);
        // The largest square tile a group can hold: 16 × 16 on a GPU; ILGPU's CPU accelerator has small groups.
        _tile = Math.Min(16, (int)Math.Sqrt(accelerator.MaxNumThreadsPerGroup));
        _squares = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(DeviceKernels.Squares);
        _scoreOne = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<uint>, ArrayView<float>, ArrayView<uint>, ScoreShape>(DeviceKernels.ScoreOne);
        _scoreTiles = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<uint>, ArrayView<float>, ArrayView<float>, ArrayView<uint>, ScoreShape>(DeviceKernels.ScoreTiles);
        _histogram = accelerator.LoadStreamKernel<ArrayView<uint>, ArrayView<uint>, ArrayView<int>, SelectShape>(DeviceKernels.Histogram);
        _collect = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<uint>, ArrayView<uint>, ArrayView<int>, ArrayView<int>, ArrayView<uint>, SelectShape>(DeviceKernels.Collect);
    }

    /// <summary>The kernel on the first CUDA device, or null when there is none (the CPU path then serves).</summary>
    public static GpuSimilarityKernel? TryCuda()
    {
        Context context;
        try { context = Context.Create(b => b.Cuda().EnableAlgorithms()); }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or NotSupportedException or InvalidOperationException) { return null; }
        var devices = context.GetCudaDevices();
        if (devices.Count == 0)
        {
            context.Dispose();
            return null;
        }
        return new GpuSimilarityKernel(context, devices[0].CreateAccelerator(context));
    }

    /// <summary>The kernel on ILGPU's CPU accelerator (tests: the same kernels, no GPU needed): 4 lanes a warp, 4 warps
    /// a group, so shuffles, barriers and shared memory all run as they do on a GPU.</summary>
    public static GpuSimilarityKernel OnCpuAccelerator()
    {
        var context = Context.Create(b => b.CPU(new CPUDevice(4, 4, Math.Max(1, Environment.ProcessorCount))).EnableAlgorithms());
        return new GpuSimilarityKernel(context, context.GetPreferredDevice(preferCPU: true).CreateAccelerator(context));
    }

    public string Device => _accelerator.AcceleratorType == AcceleratorType.CPU ? "gpu (ILGPU CPU accelerator)" : $"gpu ({_accelerator.Name})";
    public bool IsGpu => _accelerator.AcceleratorType == AcceleratorType.Cuda;
    public long DeviceMemory => _accelerator.MemorySize;

    public IEmbeddingColumn Load(float[] vectors, int count, int dims, bool[]? valid)
    {
        CpuSimilarityKernel.Check(vectors, count, dims, valid, null, [], 0, 0);
        lock (_gate)
        {
            var deviceVectors = _accelerator.Allocate1D<float>(Math.Max(1, (long)count * dims));
            var squares = _accelerator.Allocate1D<float>(Math.Max(1, count));
            try
            {
                if (count > 0)
                {
                    ((ArrayView<float>)deviceVectors.View).SubView(0, (long)count * dims).CopyFromCPU(vectors.AsSpan(0, count * dims));
                    _squares(count, deviceVectors.View, squares.View, dims);
                    _accelerator.Synchronize();
                }
                // The largest square of a valid row, from the squares the device computed.
                float most = 0;
                if (count > 0)
                {
                    var all = squares.GetAsArray1D();
                    for (int r = 0; r < count; r++)
                        if ((valid is null || valid[r]) && all[r] > most) most = all[r];
                }
                return new DeviceEmbeddingColumn(deviceVectors, squares, count, dims, valid?.AsSpan(0, count).ToArray(), most);
            }
            catch
            {
                deviceVectors.Dispose();
                squares.Dispose();
                throw;
            }
        }
    }

    public NearestRows[] TopK(IEmbeddingColumn column, float[] probes, int probeCount, SimilaritySearch search, CancellationToken cancel = default)
    {
        var device = (DeviceEmbeddingColumn)column;
        var (selection, k) = (search.Selection, search.K);
        if (probeCount < 0 || k < 0 || (long)probeCount * device.Dims > probes.Length) throw new ArgumentException("the probes are shorter than probeCount × dims, or k is negative");
        if (selection is not null && selection.Any(r => (uint)r >= (uint)device.Count)) throw new ArgumentOutOfRangeException(nameof(selection), "a selected row is outside the column");
        var result = new NearestRows[probeCount];
        if (device.Count == 0 || k == 0)
        {
            for (int p = 0; p < probeCount; p++) result[p] = new NearestRows([], []);
            return result;
        }
        var squares = new float[probeCount];
        for (int p = 0; p < probeCount; p++)
        {
            var probe = probes.AsSpan(p * device.Dims, device.Dims);
            squares[p] = VectorMath.Dot(probe, probe);
        }
        lock (_gate)
        {
            var (mask, hasMask) = Mask(device.Count, device.Valid, selection);
            using var _ = mask;
            using var deviceProbes = _accelerator.Allocate1D(probes.AsSpan(0, probeCount * device.Dims).ToArray());
            using var deviceSquares = _accelerator.Allocate1D(squares);
            Search(device, mask, hasMask, deviceProbes.View, deviceSquares.View, squares, probeCount, search, result, cancel);
        }
        return result;
    }

    public double?[] Rarity(IEmbeddingColumn column, int k, DistanceMetric metric, CancellationToken cancel = default)
    {
        var device = (DeviceEmbeddingColumn)column;
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), "rarity needs k ≥ 1");
        var result = new double?[device.Count];
        var rows = Enumerable.Range(0, device.Count).Where(r => device.Valid is null || device.Valid[r]).ToArray();
        if (rows.Length == 0) return result;
        var hostSquares = device.Squares.GetAsArray1D();
        lock (_gate)
        {
            var (mask, hasMask) = Mask(device.Count, device.Valid, null);
            using var _ = mask;
            // Each valid row is a probe, read from the column on the device: its k + 1 nearest hold its k nearest others.
            int tile = ProbeTile(device.Count);
            for (int start = 0; start < rows.Length; start += tile)
            {
                cancel.ThrowIfCancellationRequested();
                int n = Math.Min(tile, rows.Length - start);
                using var probes = _accelerator.Allocate1D<float>((long)n * device.Dims);
                var probeSquares = new float[n];
                for (int i = 0; i < n; i++)
                {
                    int row = rows[start + i];
                    probes.View.SubView((long)i * device.Dims, device.Dims).CopyFrom(device.Vectors.View.SubView((long)row * device.Dims, device.Dims));
                    probeSquares[i] = hostSquares[row];
                }
                using var deviceSquares = _accelerator.Allocate1D(probeSquares);
                var nearest = new NearestRows[n];
                Search(device, mask, hasMask, probes.View, deviceSquares.View, probeSquares, n, new SimilaritySearch(k + 1, metric), nearest, cancel);
                for (int i = 0; i < n; i++) result[rows[start + i]] = CpuSimilarityKernel.MeanOfOthers(nearest[i], rows[start + i], k);
            }
        }
        return result;
    }

    /// <summary>Probes per tile: as many as fit the scratch keys, at most 4,096.</summary>
    private static int ProbeTile(int count) => (int)Math.Clamp(Math.Min(ScratchBytes / 4 / Math.Max(1, count), int.MaxValue / Math.Max(1, count)), 1, 4096);

    /// <summary>The candidate mask (valid and selected rows, one bit each) and 1; or a one-word placeholder and 0 when
    /// every row is a candidate.</summary>
    private (MemoryBuffer1D<uint, Stride1D.Dense> Bits, int Has) Mask(int count, bool[]? valid, int[]? selection)
    {
        if (valid is null && selection is null) return (_accelerator.Allocate1D<uint>(1), 0);
        var bits = new uint[(count + 31) / 32];
        if (selection is null)
            for (int r = 0; r < count; r++) { if (valid![r]) bits[r >> 5] |= 1u << (r & 31); }
        else
            foreach (int r in selection)
                if (valid is null || valid[r]) bits[r >> 5] |= 1u << (r & 31);
        return (_accelerator.Allocate1D(bits), 1);
    }

    /// <summary>Scores and selects, a tile of probes at a time, filling <paramref name="result"/>.</summary>
    private void Search(DeviceEmbeddingColumn column, MemoryBuffer1D<uint, Stride1D.Dense> mask, int hasMask, ArrayView<float> probes, ArrayView<float> probeSquares,
        float[] hostSquares, int probeCount, SimilaritySearch search, NearestRows[] result, CancellationToken cancel)
    {
        int count = column.Count, dims = column.Dims;
        int tile = ProbeTile(count);
        using var keys = _accelerator.Allocate1D<uint>((long)Math.Min(tile, probeCount) * count);
        for (int start = 0; start < probeCount; start += tile)
        {
            cancel.ThrowIfCancellationRequested();
            int n = Math.Min(tile, probeCount - start);
            var shape = new ScoreShape { Count = count, Dims = dims, Metric = (int)search.Metric, HasMask = hasMask, Probes = n, Tile = _tile, NaNFirst = search.NaNFirst ? 1 : 0 };
            if (n == 1)
            {
                shape.ProbeSquare = hostSquares[start];
                int group = Math.Min(256, _accelerator.MaxNumThreadsPerGroup) / _accelerator.WarpSize * _accelerator.WarpSize;
                int warps = group / _accelerator.WarpSize;
                int groups = (int)Math.Clamp((count + warps - 1L) / warps, 1, _accelerator.NumMultiprocessors * 64L);
                _scoreOne(new KernelConfig(groups, group), column.Vectors.View, column.Squares.View, mask.View, probes.SubView((long)start * dims, dims), keys.View, shape);
            }
            else
            {
                shape.RowBlocks = (count + _tile - 1) / _tile;
                int probeBlocks = (n + _tile - 1) / _tile;
                var config = new KernelConfig(new Index1D(shape.RowBlocks * probeBlocks), new Index1D(_tile * _tile), SharedMemoryConfig.RequestDynamic<float>(2 * _tile * _tile));
                _scoreTiles(config, column.Vectors.View, column.Squares.View, mask.View, probes.SubView((long)start * dims, (long)n * dims),
                    probeSquares.SubView(start, n), keys.View, shape);
            }
            Select(keys.View, count, n, search, result.AsSpan(start, n), cancel);
        }
    }

    /// <summary>The radix select over a tile's keys: four rounds of one-byte histograms find each probe's k-th key
    /// (all of a probe's candidates when it has no more than k), then the rows at or under it (or under the widened
    /// limit, with a band) are collected and put in (distance, row) order; the k nearest, or all with a band, are kept.</summary>
    private void Select(ArrayView<uint> keys, int count, int probes, SimilaritySearch search, Span<NearestRows> result, CancellationToken cancel)
    {
        int k = search.K;
        int group = Math.Min(256, _accelerator.MaxNumThreadsPerGroup);
        int blocksPerProbe = (int)Math.Clamp((count + group - 1L) / group, 1, Math.Max(1, _accelerator.NumMultiprocessors * 8L / probes + 1));
        var prefixes = new uint[probes];
        var need = new long[probes];
        var done = new bool[probes];
        using var devicePrefixes = _accelerator.Allocate1D<uint>(probes);
        using var bins = _accelerator.Allocate1D<int>(probes * 256L);
        for (int shift = 24; shift >= 0; shift -= 8)
        {
            cancel.ThrowIfCancellationRequested();
            devicePrefixes.CopyFromCPU(prefixes);
            bins.MemSetToZero();
            _histogram(new KernelConfig(blocksPerProbe * probes, group), keys.SubView(0, (long)probes * count), devicePrefixes.View, bins.View,
                new SelectShape { Count = count, Shift = shift, BlocksPerProbe = blocksPerProbe });
            var counts = bins.GetAsArray1D();
            for (int p = 0; p < probes; p++)
            {
                if (done[p]) continue;
                if (shift == 24)
                {
                    long candidates = 0;
                    for (int b = 0; b < 256; b++) candidates += counts[p * 256 + b];
                    // No more candidates than k: every one is in the answer.
                    if (candidates <= k) { done[p] = true; prefixes[p] = DeviceKernels.Excluded - 1; continue; }
                    need[p] = k;
                }
                long below = 0;
                for (int b = 0; b < 256; b++)
                {
                    int c = counts[p * 256 + b];
                    if (below + c >= need[p])
                    {
                        prefixes[p] |= (uint)b << shift;
                        need[p] -= below;
                        break;
                    }
                    below += c;
                }
            }
        }
        // The limits: the k-th key, or past it to the widened distance (a NaN k-th keeps only the NaN).
        var limits = new uint[probes];
        for (int p = 0; p < probes; p++)
        {
            limits[p] = prefixes[p];
            if (search.Widen is { } widen && !done[p] && DeviceKernels.Distance(prefixes[p]) is var kth && !float.IsNaN(kth)
                && widen(kth) is var wide && !float.IsNaN(wide))
                limits[p] = Math.Max(prefixes[p], DeviceKernels.Key(wide, 0));
        }
        using var deviceLimits = _accelerator.Allocate1D(limits);
        using var counters = _accelerator.Allocate1D<int>(probes);
        int capacity = Math.Max(16, 2 * k + 64);
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            counters.MemSetToZero();
            using var rows = _accelerator.Allocate1D<int>((long)probes * capacity);
            using var found = _accelerator.Allocate1D<uint>((long)probes * capacity);
            var shape = new SelectShape { Count = count, Capacity = capacity };
            _collect((int)((long)probes * count), keys.SubView(0, (long)probes * count), deviceLimits.View, counters.View, rows.View, found.View, shape);
            var taken = counters.GetAsArray1D();
            int most = taken.Max();
            if (most > capacity)
            {
                capacity = most;
                continue;
            }
            var hostRows = rows.GetAsArray1D();
            var hostKeys = found.GetAsArray1D();
            for (int p = 0; p < probes; p++)
            {
                var pairs = new (float Distance, int Row)[taken[p]];
                for (int i = 0; i < pairs.Length; i++) pairs[i] = (DeviceKernels.Distance(hostKeys[p * capacity + i]), hostRows[p * capacity + i]);
                var sorted = TopKSelection.Sorted(pairs);
                int keep = search.Widen is not null ? pairs.Length : Math.Min(k, pairs.Length);
                result[p] = keep == pairs.Length ? sorted : new NearestRows(sorted.Rows[..keep], sorted.Distances[..keep]);
            }
            return;
        }
    }

    public void Dispose()
    {
        _accelerator.Dispose();
        _context.Dispose();
    }
}
