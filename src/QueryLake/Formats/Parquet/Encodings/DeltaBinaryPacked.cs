using QueryLake.Columnar.Memory;

namespace QueryLake.Formats.Parquet.Encodings;

/// <summary>DELTA_BINARY_PACKED (Encodings.md): blocks of miniblocks of bit-packed deltas from a per-block minimum.</summary>
internal static class DeltaBinaryPacked
{
    /// <summary>Decodes up to <c>dst.Length</c> values (stopping at the encoded count); returns how many and the bytes
    /// consumed. Arithmetic wraps, as the spec requires (int32 columns wrap in 32 bits after narrowing).</summary>
    public static (int Count, int Consumed) Decode(ReadOnlySpan<byte> src, Span<long> dst)
    {
        int pos = 0;
        ulong blockSize = Varint(src, ref pos), miniblocks = Varint(src, ref pos), total = Varint(src, ref pos);
        long value = ZigZag(Varint(src, ref pos));
        if (blockSize == 0 || blockSize % 128 != 0 || miniblocks == 0 || blockSize % miniblocks != 0 || (blockSize / miniblocks) % 32 != 0 || blockSize > 1 << 20)
            throw new ParquetFormatException($"DELTA_BINARY_PACKED header is invalid (block size {blockSize}, {miniblocks} miniblocks)");
        if (total > (ulong)dst.Length) throw new ParquetFormatException($"DELTA_BINARY_PACKED declares {total} values where {dst.Length} were expected");
        int count = (int)total;
        if (count == 0) return (0, pos);
        int perMini = (int)(blockSize / miniblocks);
        dst[0] = value;
        int done = 1;
        Span<long> deltas = perMini <= 1024 ? stackalloc long[perMini] : new long[perMini];
        Span<byte> widths = stackalloc byte[(int)Math.Min(miniblocks, 256UL)];
        if (miniblocks > 256) throw new ParquetFormatException($"DELTA_BINARY_PACKED has {miniblocks} miniblocks per block");
        while (done < count)
        {
            long minDelta = ZigZag(Varint(src, ref pos));
            if (pos + (int)miniblocks > src.Length) throw new ParquetFormatException("DELTA_BINARY_PACKED block header runs past the end of the page");
            src.Slice(pos, (int)miniblocks).CopyTo(widths);
            pos += (int)miniblocks;
            for (int m = 0; m < (int)miniblocks && done < count; m++)
            {
                int w = widths[m];
                if (w > 64) throw new ParquetFormatException($"DELTA_BINARY_PACKED miniblock bit width {w} exceeds 64");
                int bytes = perMini * w / 8;
                int take = Math.Min(perMini, count - done);
                // The last miniblock may be cut short by the page end (writers need not pad it).
                int avail = Math.Min(bytes, src.Length - pos);
                if ((long)take * w > (long)avail * 8) throw new ParquetFormatException("DELTA_BINARY_PACKED miniblock runs past the end of the page");
                BitPacking.Unpack64(src.Slice(pos, avail), w, deltas[..take]);
                pos += avail;
                for (int k = 0; k < take; k++)
                {
                    value = unchecked(value + minDelta + deltas[k]);
                    dst[done++] = value;
                }
            }
        }
        return (count, pos);
    }

    private static ulong Varint(ReadOnlySpan<byte> src, ref int pos)
    {
        ulong v = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (pos >= src.Length) throw new ParquetFormatException("DELTA_BINARY_PACKED data ends early");
            byte b = src[pos++];
            v |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return v;
        }
        throw new ParquetFormatException("DELTA_BINARY_PACKED varint is too long");
    }

    private static long ZigZag(ulong v) => (long)(v >> 1) ^ -(long)(v & 1);

    /// <summary>Encodes with blocks of 128 values in 4 miniblocks of 32.</summary>
    public static void Encode(ReadOnlySpan<long> values, BufferBuilder dst)
    {
        const int block = 128, minis = 4, perMini = 32;
        WriteVarint(dst, block);
        WriteVarint(dst, minis);
        WriteVarint(dst, (ulong)values.Length);
        WriteVarint(dst, values.Length == 0 ? 0 : ZigZagOf(values[0]));
        Span<long> deltas = stackalloc long[block];
        Span<byte> widths = stackalloc byte[minis];
        Span<long> rel = stackalloc long[perMini];
        for (int start = 1; start < values.Length; start += block)
        {
            int n = Math.Min(block, values.Length - start);
            long min = long.MaxValue;
            for (int k = 0; k < n; k++) { deltas[k] = unchecked(values[start + k] - values[start + k - 1]); min = Math.Min(min, deltas[k]); }
            WriteVarint(dst, ZigZagOf(min));
            for (int m = 0; m < minis; m++)
            {
                ulong max = 0;
                for (int k = m * perMini; k < Math.Min(n, (m + 1) * perMini); k++) max = Math.Max(max, unchecked((ulong)(deltas[k] - min)));
                widths[m] = (byte)(m * perMini < n ? BitPacking.WidthOf(max) : 0);
            }
            dst.Append(widths);
            for (int m = 0; m < minis && m * perMini < n; m++)
            {
                for (int k = 0; k < perMini; k++) rel[k] = m * perMini + k < n ? unchecked(deltas[m * perMini + k] - min) : 0;
                var packed = dst.Extend(perMini * widths[m] / 8);
                packed.Clear();
                BitPacking.Pack(rel, widths[m], packed);
            }
        }
    }

    private static ulong ZigZagOf(long v) => (ulong)((v << 1) ^ (v >> 63));

    private static void WriteVarint(BufferBuilder dst, ulong v)
    {
        while (v >= 0x80) { dst.Append((byte)(v | 0x80)); v >>= 7; }
        dst.Append((byte)v);
    }
}
