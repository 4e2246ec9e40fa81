namespace QueryLake.Columnar.Memory;

/// <summary>
/// Allocates 64-byte aligned memory as a slice of a managed array. Spans over it keep the array alive, so the
/// garbage collector can never free memory that a span still points at. Small buffers (under 85 KB) are pinned, so
/// they keep their alignment. Larger ones are not: below the runtime's large object threshold (1 MB in QueryLake's
/// executables, see docs/ado-net.md) they live in generation 0, whose memory is reused warm, and above it on the large
/// object heap, which is not compacted unless asked; pinned large buffers came back as fresh pages, and first touches of
/// fresh pages dominated Parquet decoding. A compaction may move an unpinned buffer, which only costs its alignment.
/// </summary>
internal static class AlignedMemory
{
    public const int Alignment = 64;

    /// <summary>The runtime's large object threshold.</summary>
    private const int LargeObjectBytes = 85_000;

    public static unsafe Memory<byte> Allocate(int length, bool clear = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var array = GC.AllocateUninitializedArray<byte>(length + Alignment, pinned: length + Alignment < LargeObjectBytes);
        fixed (byte* p = array)
        {
            int shift = (int)((Alignment - ((nint)p & (Alignment - 1))) & (Alignment - 1));
            var mem = new Memory<byte>(array, shift, length);
            if (clear) mem.Span.Clear();
            return mem;
        }
    }
}
