using System.Buffers.Binary;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace QueryLake.Formats.Parquet.Encodings;

/// <summary>Parquet's bit packing: values of <c>width</c> bits, least significant bit first, back to back.</summary>
internal static class BitPacking
{
    /// <summary>Unpacks <c>dst.Length</c> values of up to 32 bits; <paramref name="src"/> must hold them all.</summary>
    public static void Unpack32(ReadOnlySpan<byte> src, int width, Span<int> dst)
    {
        if (width == 0) { dst.Clear(); return; }
        ulong mask = width == 32 ? uint.MaxValue : (1UL << width) - 1;
        int n = dst.Length;
        // Whole 8-byte loads while they stay inside the source; the tail goes byte by byte.
        int fast = src.Length >= 8 ? Math.Min(n, (int)(((long)(src.Length - 8) * 8) / width)) : 0;
        long bit = 0;
        int i = 0;
        ref byte b = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(src);
        ref int d = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(dst);
        if (Avx512Vbmi.IsSupported && width <= 25)
        {
            // Sixteen values at a time: they fill 2 × width whole bytes, so each group starts on a byte and has the same
            // layout. One 64-byte load, a byte permutation that moves each value's (at most four) bytes into its own
            // 32-bit lane, a per-lane shift by the value's bit offset and a mask. width ≤ 25 keeps offset + width ≤ 32.
            var (permutation, shifts) = Layouts[width];
            var lanes = Vector512.Create((uint)mask);
            int pos = 0, step = 2 * width;
            for (; i + 16 <= n && pos + 64 <= src.Length; i += 16, pos += step)
            {
                var bytes = Vector512.LoadUnsafe(ref b, (nuint)pos);
                var values = Avx512F.ShiftRightLogicalVariable(Avx512Vbmi.PermuteVar64x8(bytes, permutation).AsUInt32(), shifts) & lanes;
                values.AsInt32().StoreUnsafe(ref d, (nuint)i);
            }
            bit = (long)pos * 8;
        }
        // In bounds: every load starts at most src.Length - 8 bytes in (see fast).
        for (; i < fast; i++, bit += width)
            System.Runtime.CompilerServices.Unsafe.Add(ref d, i) =
                (int)((System.Runtime.CompilerServices.Unsafe.ReadUnaligned<ulong>(ref System.Runtime.CompilerServices.Unsafe.Add(ref b, (nint)(bit >> 3))) >> (int)(bit & 7)) & mask);
        for (; i < n; i++, bit += width) dst[i] = (int)Slow(src, bit, width);
    }

    /// <summary>For each width up to 25: the byte permutation that puts value j's first four bytes into lane j of a group
    /// of sixteen, and each value's bit offset within its first byte.</summary>
    private static readonly (Vector512<byte> Permutation, Vector512<uint> Shifts)[] Layouts = Enumerable.Range(0, 26).Select(w =>
    {
        var permutation = new byte[64];
        var shifts = new uint[16];
        for (int j = 0; j < 16; j++)
        {
            int first = j * w;
            for (int k = 0; k < 4; k++) permutation[4 * j + k] = (byte)Math.Min(63, first / 8 + k);
            shifts[j] = (uint)(first % 8);
        }
        return (Vector512.Create(permutation), Vector512.Create(shifts));
    }).ToArray();

    /// <summary>Unpacks values of up to 64 bits.</summary>
    public static void Unpack64(ReadOnlySpan<byte> src, int width, Span<long> dst)
    {
        if (width == 0) { dst.Clear(); return; }
        long bit = 0;
        if (width <= 56)
        {
            ulong mask = (1UL << width) - 1;
            int fast = src.Length >= 8 ? Math.Min(dst.Length, (int)(((long)(src.Length - 8) * 8) / width)) : 0;
            int i = 0;
            for (; i < fast; i++, bit += width)
                dst[i] = (long)((BinaryPrimitives.ReadUInt64LittleEndian(src[(int)(bit >> 3)..]) >> (int)(bit & 7)) & mask);
            for (; i < dst.Length; i++, bit += width) dst[i] = (long)Slow(src, bit, width);
            return;
        }
        for (int i = 0; i < dst.Length; i++, bit += width) dst[i] = (long)Slow(src, bit, width);
    }

    private static ulong Slow(ReadOnlySpan<byte> src, long bit, int width)
    {
        ulong v = 0;
        for (int b = 0; b < width;)
        {
            long pos = bit + b;
            int take = Math.Min(8 - (int)(pos & 7), width - b);
            ulong part = (ulong)(src[(int)(pos >> 3)] >> (int)(pos & 7)) & ((1UL << take) - 1);
            v |= part << b;
            b += take;
        }
        return v;
    }

    /// <summary>Packs values of <paramref name="width"/> bits into <paramref name="dst"/> (which must be zeroed and
    /// hold <c>ceil(n × width / 8)</c> bytes).</summary>
    public static void Pack(ReadOnlySpan<long> values, int width, Span<byte> dst)
    {
        long bit = 0;
        foreach (var value in values)
        {
            ulong v = width == 64 ? (ulong)value : (ulong)value & ((1UL << width) - 1);
            for (int b = 0; b < width;)
            {
                long pos = bit + b;
                int take = Math.Min(8 - (int)(pos & 7), width - b);
                dst[(int)(pos >> 3)] |= (byte)(((v >> b) & ((1UL << take) - 1)) << (int)(pos & 7));
                b += take;
            }
            bit += width;
        }
    }

    /// <summary>The bits needed for <paramref name="max"/> (0 for 0).</summary>
    public static int WidthOf(ulong max) => 64 - System.Numerics.BitOperations.LeadingZeroCount(max);
}
