namespace QueryLake.Kernels.Similarity;

/// <summary>
/// Fused distance and top-k over an embedding column: for each probe, the <c>k</c> rows nearest to it; and the rarity
/// score of every row. The CPU path (<see cref="CpuSimilarityKernel"/>, SIMD) is the reference; a GPU backend
/// implements the same contract, and its results equal the reference's in row indexes, with distances within float
/// tolerance (exactly, where every sum is exact in float).
/// </summary>
/// <remarks>
/// The contract: a column holds <c>Count</c> rows of <c>Dims</c> floats; a row is a candidate when it is valid
/// (<see cref="IEmbeddingColumn.Valid"/>) and selected (<see cref="SimilaritySearch.Selection"/>); a candidate whose
/// distance is NaN (a zero vector under cosine, a NaN element) is never returned, unless the search puts NaN first;
/// candidates are ordered by distance, then by row index, and the first <c>k</c> are returned for each probe. Distances are computed as the SQL functions
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

    /// <summary>For each of the <paramref name="probeCount"/> probes (row-major in <paramref name="probes"/>), its
    /// <see cref="SimilaritySearch.K"/> nearest candidates, then the band <see cref="SimilaritySearch.Widen"/> asks for,
    /// all in <see cref="TopKSelection.Compare"/> order.</summary>
    NearestRows[] TopK(IEmbeddingColumn column, float[] probes, int probeCount, SimilaritySearch search, CancellationToken cancel = default);

    /// <summary>For each valid row, the mean distance to its <paramref name="k"/> nearest other valid rows (NaN
    /// distances skipped); null for an invalid row, or one with no other row.</summary>
    double?[] Rarity(IEmbeddingColumn column, int k, DistanceMetric metric, CancellationToken cancel = default);
}
