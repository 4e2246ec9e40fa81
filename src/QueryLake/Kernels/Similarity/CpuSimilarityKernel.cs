namespace QueryLake.Kernels.Similarity;

/// <summary>The reference similarity kernel: SIMD distances (<see cref="VectorMath"/>, Vector512/256/128 chosen at run
/// time) and a bounded heap per probe, probes in parallel.</summary>
internal sealed class CpuSimilarityKernel : ISimilarityKernel
{
    public static CpuSimilarityKernel Instance { get; } = new();

    public string Device => "cpu";
    public bool IsGpu => false;
    public long DeviceMemory => 0;

    public IEmbeddingColumn Load(float[] vectors, int count, int dims, bool[]? valid)
    {
        Check(vectors, count, dims, valid, null, [], 0, 0);
        return new HostEmbeddingColumn(vectors, count, dims, valid);
    }

    public NearestRows[] TopK(IEmbeddingColumn column, float[] probes, int probeCount, SimilaritySearch search, CancellationToken cancel = default)
    {
        var host = (HostEmbeddingColumn)column;
        var (vectors, count, dims, valid) = (host.Vectors, host.Count, host.Dims, host.Valid);
        var (selection, k, metric) = (search.Selection, search.K, search.Metric);
        Check(vectors, count, dims, valid, selection, probes, probeCount, k);
        var result = new NearestRows[probeCount];
        System.Threading.Tasks.Parallel.For(0, probeCount, new ParallelOptions { CancellationToken = cancel }, p =>
        {
            var probe = probes.AsSpan(p * dims, dims);
            float probeNorm = metric == DistanceMetric.Cosine ? MathF.Sqrt(VectorMath.Dot(probe, probe)) : 0;
            var top = new TopKSelection(k, search.NaNFirst);
            int n = selection?.Length ?? count;
            for (int j = 0; j < n; j++)
            {
                int row = selection?[j] ?? j;
                if (valid is not null && !valid[row]) continue;
                top.Offer(Distance(vectors.AsSpan(row * dims, dims), probe, probeNorm, metric), row);
            }
            var nearest = top.Result();
            if (search.Widen is { } widen && nearest.Rows.Length == k && k > 0)
            {
                // The band past the k-th: a second pass for the candidates within the margin (only NaN past a NaN k-th).
                float kth = nearest.Distances[^1], limit = widen(kth);
                var kept = nearest.Rows.ToHashSet();
                var band = new List<(float Distance, int Row)>();
                for (int j = 0; j < n; j++)
                {
                    int row = selection?[j] ?? j;
                    if ((valid is not null && !valid[row]) || kept.Contains(row)) continue;
                    float d = Distance(vectors.AsSpan(row * dims, dims), probe, probeNorm, metric);
                    if (float.IsNaN(kth) ? float.IsNaN(d) : d <= limit) band.Add((d, row));
                }
                var more = TopKSelection.Sorted(band.ToArray());
                nearest = new NearestRows([.. nearest.Rows, .. more.Rows], [.. nearest.Distances, .. more.Distances]);
            }
            result[p] = nearest;
        });
        return result;
    }

    public double?[] Rarity(IEmbeddingColumn column, int k, DistanceMetric metric, CancellationToken cancel = default)
    {
        var host = (HostEmbeddingColumn)column;
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), "rarity needs k ≥ 1");
        var rows = Enumerable.Range(0, host.Count).Where(r => host.Valid is null || host.Valid[r]).ToArray();
        var result = new double?[host.Count];
        // Each row is a probe against all: its k + 1 nearest hold its k nearest others, itself aside.
        const int Tile = 256;
        for (int start = 0; start < rows.Length; start += Tile)
        {
            cancel.ThrowIfCancellationRequested();
            int n = Math.Min(Tile, rows.Length - start);
            var probes = new float[n * host.Dims];
            for (int i = 0; i < n; i++) host.Vectors.AsSpan(rows[start + i] * host.Dims, host.Dims).CopyTo(probes.AsSpan(i * host.Dims));
            var nearest = TopK(column, probes, n, new SimilaritySearch(k + 1, metric), cancel);
            for (int i = 0; i < n; i++) result[rows[start + i]] = MeanOfOthers(nearest[i], rows[start + i], k);
        }
        return result;
    }

    /// <summary>The mean of the first <paramref name="k"/> distances of rows other than <paramref name="self"/>; null
    /// when there are none. Shared by every backend.</summary>
    public static double? MeanOfOthers(NearestRows nearest, int self, int k)
    {
        double sum = 0;
        int taken = 0;
        for (int i = 0; i < nearest.Rows.Length && taken < k; i++)
        {
            if (nearest.Rows[i] == self) continue;
            sum += nearest.Distances[i];
            taken++;
        }
        return taken == 0 ? null : sum / taken;
    }

    /// <summary>The distance as the SQL functions compute it.</summary>
    public static float Distance(ReadOnlySpan<float> x, ReadOnlySpan<float> probe, float probeNorm, DistanceMetric metric) => metric switch
    {
        DistanceMetric.Cosine => 1 - VectorMath.Dot(x, probe) / (MathF.Sqrt(VectorMath.Dot(x, x)) * probeNorm),
        DistanceMetric.InnerProduct => -VectorMath.Dot(x, probe),
        _ => MathF.Sqrt(VectorMath.SquaredDistance(x, probe)),
    };

    /// <summary>The contract's argument checks, shared by every backend.</summary>
    public static void Check(float[] vectors, int count, int dims, bool[]? valid, int[]? selection, float[] probes, int probeCount, int k)
    {
        if (dims <= 0 || count < 0 || probeCount < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(dims), "dims must be positive; count, probes and k not negative");
        if ((long)count * dims > vectors.Length || (long)probeCount * dims > probes.Length) throw new ArgumentException("the vectors or probes are shorter than count × dims");
        if (valid is not null && valid.Length < count) throw new ArgumentException("valid is shorter than count");
        if (selection is not null && selection.Any(r => (uint)r >= (uint)count)) throw new ArgumentOutOfRangeException(nameof(selection), "a selected row is outside the vectors");
    }
}
