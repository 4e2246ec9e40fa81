namespace QueryLake.Kernels.Similarity;

/// <summary>
/// Fused distance and top-k over an embedding column: for each probe, the <c>k</c> rows nearest to it; and the rarity
/// score of every row. The CPU path (<see cref="CpuSimilarityKernel"/>, SIMD) is the reference; a GPU backend
/// implements the same contract, and its results equal the reference's in row indexes, with distances within float
/// tolerance (exactly, where every sum is exact in float).
/// </summary>
/// <remarks>
/// The contract: a column holds <c>Count</c> rows of <c>Dims</c> floats; a row is a candidate when it is valid
/// (<see cref="IEmbeddingColumn.Valid"/>) and selected (<c>selection</c> null, or listed there); a candidate whose
/// distance is NaN (a zero vector under cosine, a NaN element) is never returned; candidates are ordered by distance,
/// then by row index, and the first <c>k</c> are returned for each probe. Distances are computed as the SQL functions
/// compute them (<see cref="CpuSimilarityKernel.Distance"/>).
/// </remarks>
internal interface ISimilarityKernel
{
    /// <summary>Where the kernel runs, as EXPLAIN names it (<c>cpu</c>, or the GPU's name).</summary>
    string Device { get; }

    /// <summary>Whether it runs on a GPU (CUDA), rather than on the host.</summary>
    bool IsGpu { get; }

    /// <summary>The device memory it may use, in bytes (the GPU's; 0 on the host).</summary>
    long DeviceMemory { get; }

    /// <summary>Loads <paramref name="count"/> rows of <paramref name="dims"/> floats (row-major), with the rows that
    /// hold a vector (null: all).</summary>
    IEmbeddingColumn Load(float[] vectors, int count, int dims, bool[]? valid);

    /// <summary>The <paramref name="k"/> nearest candidates of each of the <paramref name="probeCount"/> probes; with
    /// <paramref name="slack"/> above 0, also every other candidate whose distance is within
    /// <c>slack × (1 + |d|)</c> of the k-th nearest distance <c>d</c> (a margin for a caller that rescores them with
    /// other rounding), all nearest first.</summary>
    NearestRows[] TopK(IEmbeddingColumn column, int[]? selection, float[] probes, int probeCount, int k, DistanceMetric metric,
        float slack = 0, CancellationToken cancel = default);

    /// <summary>For each valid row, the mean distance to its <paramref name="k"/> nearest other valid rows (NaN
    /// distances skipped); null for an invalid row, or one with no other row.</summary>
    double?[] Rarity(IEmbeddingColumn column, int k, DistanceMetric metric, CancellationToken cancel = default);
}
