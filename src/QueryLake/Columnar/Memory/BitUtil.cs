using System.Numerics;
using System.Runtime.CompilerServices;

namespace QueryLake.Columnar.Memory;

/// <summary>Bit-level helpers for validity bitmaps (LSB numbering, as Arrow specifies).</summary>
internal static class BitUtil
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool GetBit(ReadOnlySpan<byte> bits, int index) => (bits[index >> 3] & (1 << (index & 7))) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SetBit(Span<byte> bits, int index, bool value)
    {
        if (value) bits[index >> 3] |= (byte)(1 << (index & 7));
        else bits[index >> 3] &= (byte)~(1 << (index & 7));
    }

    public static int BytesFor(long bits) => checked((int)((bits + 7) >> 3));

    /// <summary>Counts set bits in [offset, offset+length).</summary>
    public static int CountSet(ReadOnlySpan<byte> bits, int offset, int length)
    {
        int count = 0, i = offset, end = offset + length;
        while (i < end && (i & 7) != 0) { if (GetBit(bits, i)) count++; i++; }
        while (end - i >= 64)
        {
            count += BitOperations.PopCount(Unsafe.ReadUnaligned<ulong>(ref Unsafe.AsRef(in bits[i >> 3])));
            i += 64;
        }
        while (end - i >= 8) { count += BitOperations.PopCount(bits[i >> 3]); i += 8; }
        while (i < end) { if (GetBit(bits, i)) count++; i++; }
        return count;
    }

    /// <summary>Copies <paramref name="length"/> bits starting at bit <paramref name="srcOffset"/> into a fresh bitmap starting at bit 0.</summary>
    public static void CopyBits(ReadOnlySpan<byte> src, int srcOffset, Span<byte> dst, int dstOffset, int length)
    {
        if ((srcOffset & 7) == 0 && (dstOffset & 7) == 0)
        {
            int whole = length >> 3;
            src.Slice(srcOffset >> 3, whole).CopyTo(dst.Slice(dstOffset >> 3));
            for (int i = whole << 3; i < length; i++) SetBit(dst, dstOffset + i, GetBit(src, srcOffset + i));
            return;
        }
        for (int i = 0; i < length; i++) SetBit(dst, dstOffset + i, GetBit(src, srcOffset + i));
    }

    /// <summary>The 64 bits of a bitmap starting at bit <paramref name="bit"/> (bits past its end read as 0).</summary>
    public static ulong Word(ReadOnlySpan<byte> bitmap, int bit)
    {
        int at = bit >> 3, shift = bit & 7;
        if (at + 9 <= bitmap.Length)
        {
            ulong v = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bitmap[at..]);
            return shift == 0 ? v : (v >> shift) | ((ulong)bitmap[at + 8] << (64 - shift));
        }
        ulong lo = 0, hi = at + 8 < bitmap.Length ? bitmap[at + 8] : 0UL;
        for (int b = 0; b < 8 && at + b < bitmap.Length; b++) lo |= (ulong)bitmap[at + b] << (8 * b);
        return shift == 0 ? lo : (lo >> shift) | (hi << (64 - shift));
    }
}
