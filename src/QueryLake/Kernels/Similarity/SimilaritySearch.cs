namespace QueryLake.Kernels.Similarity;

/// <summary>What a similarity search asks of a <see cref="ISimilarityKernel"/>: the <see cref="K"/> nearest candidates
/// of each probe under <see cref="Metric"/>, among the valid rows the <see cref="Selection"/> names.</summary>
/// <param name="K">Rows per probe.</param>
/// <param name="Metric">How distance is measured.</param>
internal sealed record SimilaritySearch(int K, DistanceMetric Metric)
{
    /// <summary>The rows that may be returned (null: every valid row).</summary>
    public int[]? Selection { get; init; }

    /// <summary>With a value, the band past the k-th: every other candidate whose distance is at most
    /// <c>Widen(d)</c> (<c>d</c> the k-th nearest distance) is returned too, after the k nearest. A caller that
    /// rescores the candidates with other rounding asks for a margin this way.</summary>
    public Func<float, float>? Widen { get; init; }

    /// <summary>Whether candidates whose distance is NaN (a zero vector under cosine) are returned, before every other,
    /// as a descending SQL order by similarity puts them; otherwise they never are.</summary>
    public bool NaNFirst { get; init; }
}
