namespace QueryLake.Kernels.Similarity;

/// <summary>
/// Fused distance and top-k over an embedding column: for each probe, the <c>k</c> rows nearest to it. The CPU path
/// (<see cref="CpuSimilarityKernel"/>, SIMD) is the reference; a GPU backend implements the same contract, and its
/// results equal the reference's in row indexes, with distances within float tolerance.
/// </summary>
/// <remarks>
/// The contract: <c>vectors</c> holds <c>count</c> rows of <c>dims</c> floats, row-major; a row is a candidate when it
/// is valid (<c>valid</c> null, or true at its index) and selected (<c>selection</c> null, or listed there); a
/// candidate whose distance is NaN (a zero vector under cosine, a NaN element) is never returned; candidates are ordered
/// by distance, then by row index, and the first <c>k</c> are returned for each probe.
/// </remarks>
internal interface ISimilarityKernel
{
    /// <summary>Where the kernel runs, as EXPLAIN names it (<c>cpu</c>, or the GPU's name).</summary>
    string Device { get; }

    /// <summary>The <paramref name="k"/> nearest candidates of each of the <paramref name="probeCount"/> probes.</summary>
    NearestRows[] TopK(float[] vectors, int count, int dims, bool[]? valid, int[]? selection, float[] probes, int probeCount, int k, DistanceMetric metric);
}
