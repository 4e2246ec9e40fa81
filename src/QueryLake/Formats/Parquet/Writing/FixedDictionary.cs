using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace QueryLake.Formats.Parquet.Writing;

/// <summary>Dictionary-encodes 4- or 8-byte values: an open-addressing table from each distinct value (as 64 bits) to
/// its index in order of first appearance. It holds at most a fixed number of entries, and the table is twice that
/// size, so probes stay short; a general-purpose map was most of the chunk writer's time on low-cardinality columns.</summary>
internal static class FixedDictionary
{
    /// <summary>Each value's index into the distinct values (written to <paramref name="indices"/>) and the distinct
    /// values' positions in <paramref name="values"/>; false once more than <paramref name="maxSize"/> are distinct.</summary>
    public static bool TryEncode<T>(ReadOnlySpan<T> values, int maxSize, Span<int> indices, List<int> firsts) where T : unmanaged
    {
        int capacity = (int)Math.Min(1 << 30, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, Math.Min(values.Length, maxSize) * 2)));
        var keys = new long[capacity];
        var slots = new int[capacity]; // index + 1; 0 is empty
        int mask = capacity - 1, count = 0, shift = 64 - System.Numerics.BitOperations.Log2((uint)capacity);
        for (int i = 0; i < values.Length; i++)
        {
            long key = Widen(values[i]);
            int h = (int)((ulong)(key * unchecked((long)0x9E3779B97F4A7C15)) >> shift);
            while (true)
            {
                int slot = slots[h];
                if (slot == 0)
                {
                    if (count >= maxSize) return false;
                    // The table may not fill up: maxSize may exceed half the table only when values are fewer.
                    if (count * 2 >= capacity) return false;
                    keys[h] = key;
                    slots[h] = ++count;
                    firsts.Add(i);
                    indices[i] = count - 1;
                    break;
                }
                if (keys[h] == key) { indices[i] = slot - 1; break; }
                h = (h + 1) & mask;
            }
        }
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Widen<T>(T v) where T : unmanaged =>
        Unsafe.SizeOf<T>() == 8 ? Unsafe.As<T, long>(ref v) : Unsafe.As<T, int>(ref v);
}
