namespace QueryLake.Kernels.Similarity;

/// <summary>The reference similarity kernel: SIMD distances (<see cref="VectorMath"/>, Vector512/256/128 chosen at run
/// time) and a bounded heap per probe, probes in parallel.</summary>
internal sealed class CpuSimilarityKernel : ISimilarityKernel
{
    public static CpuSimilarityKernel Instance { get; } = new();

    public string Device => "cpu";

    public NearestRows[] TopK(float[] vectors, int count, int dims, bool[]? valid, int[]? selection, float[] probes, int probeCount, int k, DistanceMetric metric)
    {
        Check(vectors, count, dims, valid, selection, probes, probeCount, k);
        var result = new NearestRows[probeCount];
        Parallel.For(0, probeCount, p =>
        {
            var probe = probes.AsSpan(p * dims, dims);
            float probeNorm = metric == DistanceMetric.Cosine ? MathF.Sqrt(VectorMath.Dot(probe, probe)) : 0;
            var top = new TopKSelection(k);
            int n = selection?.Length ?? count;
            for (int j = 0; j < n; j++)
            {
                int row = selection?[j] ?? j;
                if (valid is not null && !valid[row]) continue;
                top.Offer(Distance(vectors.AsSpan(row * dims, dims), probe, probeNorm, metric), row);
            }
            result[p] = top.Result();
        });
        return result;
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
