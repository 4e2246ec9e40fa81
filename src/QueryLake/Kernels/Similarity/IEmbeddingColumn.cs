namespace QueryLake.Kernels.Similarity;

/// <summary>An embedding column loaded where a <see cref="ISimilarityKernel"/> computes: host arrays for the CPU path,
/// device memory for a GPU. It is searched many times once loaded (<see cref="SimilarityColumnCache"/> keeps GPU ones
/// per dataset version), and disposing it frees what it holds.</summary>
internal interface IEmbeddingColumn : IDisposable
{
    /// <summary>Rows, valid or not.</summary>
    int Count { get; }

    /// <summary>Floats per row.</summary>
    int Dims { get; }

    /// <summary>Device memory it holds, in bytes (0 on the host).</summary>
    long DeviceBytes { get; }

    /// <summary>The largest ‖x‖² of a valid row (0 when none): how large an inner product's rounding can be.</summary>
    float MaxSquare { get; }

    /// <summary>Which rows hold a vector (null: all of them).</summary>
    bool[]? Valid { get; }
}
