namespace QueryLake.Columnar.Memory;

/// <summary>
/// Allocates 64-byte aligned memory as a slice of a pinned managed array. Spans over it keep the array
/// alive, so the garbage collector can never free memory that a span still points at.
/// </summary>
internal static class AlignedMemory
{
    public const int Alignment = 64;

    public static unsafe Memory<byte> Allocate(int length, bool clear = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var array = GC.AllocateUninitializedArray<byte>(length + Alignment, pinned: true);
        fixed (byte* p = array)
        {
            int shift = (int)((Alignment - ((nint)p & (Alignment - 1))) & (Alignment - 1));
            var mem = new Memory<byte>(array, shift, length);
            if (clear) mem.Span.Clear();
            return mem;
        }
    }
}
