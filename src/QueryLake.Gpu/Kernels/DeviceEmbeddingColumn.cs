using ILGPU;
using ILGPU.Runtime;
using QueryLake.Kernels.Similarity;

namespace QueryLake.Gpu.Kernels;

/// <summary>An embedding column in device memory: its rows, their squared norms (computed once, for cosine), and which
/// rows are valid (kept on the host, where each search builds its candidate mask).</summary>
internal sealed class DeviceEmbeddingColumn(MemoryBuffer1D<float, Stride1D.Dense> vectors, MemoryBuffer1D<float, Stride1D.Dense> squares,
    int count, int dims, bool[]? valid, float maxSquare) : IEmbeddingColumn
{
    public MemoryBuffer1D<float, Stride1D.Dense> Vectors { get; } = vectors;
    public MemoryBuffer1D<float, Stride1D.Dense> Squares { get; } = squares;
    public int Count { get; } = count;
    public int Dims { get; } = dims;
    public bool[]? Valid { get; } = valid;
    public float MaxSquare { get; } = maxSquare;
    public long DeviceBytes => Vectors.LengthInBytes + Squares.LengthInBytes;

    public void Dispose()
    {
        Vectors.Dispose();
        Squares.Dispose();
    }
}
