namespace QueryLake.Kernels.Similarity;

/// <summary>An embedding column in host memory, as the CPU kernel reads it: the caller's arrays, not copied.</summary>
internal sealed class HostEmbeddingColumn(float[] vectors, int count, int dims, bool[]? valid) : IEmbeddingColumn
{
    public float[] Vectors { get; } = vectors;
    public int Count { get; } = count;
    public int Dims { get; } = dims;
    public long DeviceBytes => 0;
    public bool[]? Valid { get; } = valid;

    public void Dispose() { }
}
