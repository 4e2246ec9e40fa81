namespace QueryLake.Kernels.Similarity;

/// <summary>How far apart two vectors are, as the SQL functions define it (smaller is nearer).</summary>
internal enum DistanceMetric
{
    /// <summary><c>cosine_distance</c>: 1 − x·y / (‖x‖‖y‖); NaN when either vector is all zeros.</summary>
    Cosine,

    /// <summary><c>inner_product_distance</c>: −x·y.</summary>
    InnerProduct,

    /// <summary><c>l2_distance</c>: ‖x − y‖.</summary>
    L2,
}
