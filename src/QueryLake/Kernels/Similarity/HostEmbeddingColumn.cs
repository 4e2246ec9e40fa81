namespace QueryLake.Kernels.Similarity;

/// <summary>An embedding column in host memory, as the CPU kernel reads it: the caller's arrays, not copied.</summary>
internal sealed class HostEmbeddingColumn(float[] vectors, int count, int dims, bool[]? valid) : IEmbeddingColumn
{
    public float[] Vectors { get; } = vectors;
    public int Count { get; } = count;
    public int Dims { get; } = dims;
    public long DeviceBytes => 0;
    public bool[]? Valid { get; } = valid;

    public float MaxSquare => _maxSquare ??= MaxSquareOf(Vectors, Count, Dims, Valid);
    private float? _maxSquare;

    /// <summary>The largest ‖x‖² among the valid rows, NaN rows aside.</summary>
    public static float MaxSquareOf(float[] vectors, int count, int dims, bool[]? valid)
    {
        float most = 0;
        for (int r = 0; r < count; r++)
            if (valid is null || valid[r])
            {
                var x = vectors.AsSpan(r * dims, dims);
                float square = VectorMath.Dot(x, x);
                if (square > most) most = square;
            }
        return most;
    }

    public void Dispose() { }
}
