namespace QueryLake.Kernels.Similarity;

/// <summary>One-off searches over arrays: load the column, search, free it.</summary>
internal static class SimilarityKernelExtensions
{
    /// <summary><see cref="ISimilarityKernel.TopK"/> over <paramref name="vectors"/>, loaded for this call only.</summary>
    public static NearestRows[] TopK(this ISimilarityKernel kernel, float[] vectors, int count, int dims, bool[]? valid, int[]? selection,
        float[] probes, int probeCount, int k, DistanceMetric metric, Func<float, float>? widen = null, bool nanFirst = false)
    {
        CpuSimilarityKernel.Check(vectors, count, dims, valid, selection, probes, probeCount, k);
        using var column = kernel.Load(vectors, count, dims, valid);
        return kernel.TopK(column, probes, probeCount, new SimilaritySearch(k, metric) { Selection = selection, Widen = widen, NaNFirst = nanFirst });
    }

    /// <summary><see cref="ISimilarityKernel.Rarity"/> over <paramref name="vectors"/>, loaded for this call only.</summary>
    public static double?[] Rarity(this ISimilarityKernel kernel, float[] vectors, int count, int dims, bool[]? valid, int k, DistanceMetric metric)
    {
        CpuSimilarityKernel.Check(vectors, count, dims, valid, null, [], 0, k);
        using var column = kernel.Load(vectors, count, dims, valid);
        return kernel.Rarity(column, k, metric);
    }
}
