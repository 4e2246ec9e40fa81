namespace QueryLake.Columnar.Memory;

/// <summary>
/// Allocates 64-byte aligned memory as a slice of a managed array. Spans over it keep the array alive, so the
/// garbage collector can never free memory that a span still points at. Small buffers are pinned (so they keep
/// their alignment); large ones (85 KB and up) live on the large object heap, which the runtime does not compact
/// unless asked, and which recycles freed memory far better than the pinned heap: pinned large buffers came back
/// as fresh pages, and first touches of fresh pages dominated Parquet decoding.
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
