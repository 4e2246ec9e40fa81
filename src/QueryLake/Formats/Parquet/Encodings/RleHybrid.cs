using QueryLake.Columnar.Memory;

namespace QueryLake.Formats.Parquet.Encodings;

/// <summary>The RLE / bit-packing hybrid (Encodings.md): levels, dictionary indices and RLE booleans.</summary>
internal static class RleHybrid
{
    /// <summary>Decodes exactly <c>dst.Length</c> values of <paramref name="width"/> bits; returns the bytes consumed.</summary>
    public static int Decode(ReadOnlySpan<byte> src, int width, Span<int> dst)
    {
        if (width is < 0 or > 32) throw new ParquetFormatException($"RLE bit width {width} is outside 0..32");
        int pos = 0, done = 0, byteWidth = (width + 7) / 8;
        while (done < dst.Length)
        {
            ulong header = ReadVarint(src, ref pos);
            if ((header & 1) == 0)
            {
                ulong run = header >> 1;
                if (run == 0) throw new ParquetFormatException("RLE run of length 0");
                if (pos + byteWidth > src.Length) throw new ParquetFormatException("RLE run value runs past the end of its data");
                int value = 0;
                for (int b = 0; b < byteWidth; b++) value |= src[pos + b] << (8 * b);
                pos += byteWidth;
                int take = (int)Math.Min(run, (ulong)(dst.Length - done));
                dst.Slice(done, take).Fill(value);
                done += take;
            }
            else
            {
                var (bytes, count) = BitPackedRun(header >> 1, width, src.Length - pos, dst.Length - done);
                BitPacking.Unpack32(src.Slice(pos, bytes), width, dst.Slice(done, count));
                pos += bytes;
                done += count;
            }
        }
        return pos;
    }

    /// <summary>Decodes levels (widths up to 8) straight into bytes.</summary>
    public static void DecodeBytes(ReadOnlySpan<byte> src, int width, Span<byte> dst)
    {
        if (width is < 0 or > 8) throw new ParquetFormatException($"level bit width {width} is outside 0..8");
        int pos = 0, done = 0;
        Span<int> group = stackalloc int[512];
        while (done < dst.Length)
        {
            ulong header = ReadVarint(src, ref pos);
            if ((header & 1) == 0)
            {
                ulong run = header >> 1;
                if (run == 0) throw new ParquetFormatException("RLE run of length 0");
                byte value = 0;
                if (width > 0)
                {
                    if (pos >= src.Length) throw new ParquetFormatException("RLE run value runs past the end of its data");
                    value = src[pos++];
                }
                int take = (int)Math.Min(run, (ulong)(dst.Length - done));
                dst.Slice(done, take).Fill(value);
                done += take;
            }
            else
            {
                var (bytes, count) = BitPackedRun(header >> 1, width, src.Length - pos, dst.Length - done);
                var packed = src.Slice(pos, bytes);
                for (int k = 0; k < count; k += group.Length)
                {
                    int m = Math.Min(group.Length, count - k);
                    BitPacking.Unpack32(packed[(k * width / 8)..], width, group[..m]);
                    for (int j = 0; j < m; j++) dst[done + k + j] = (byte)group[j];
                }
                pos += bytes;
                done += count;
            }
        }
    }

    /// <summary>The bytes a bit-packed run of <paramref name="groups"/> groups of eight values takes (width bytes a
    /// group; none at width 0, where a run only counts values) and how many of its values are wanted, checked against
    /// the <paramref name="available"/> bytes.</summary>
    private static (int Bytes, int Count) BitPackedRun(ulong groups, int width, int available, int wanted)
    {
        if (groups == 0 || (width > 0 && groups > (ulong)available)) throw new ParquetFormatException($"bit-packed run of {groups} groups runs past the end of its data");
        int bytes = width == 0 ? 0 : checked((int)groups * width);
        if (bytes > available) throw new ParquetFormatException("bit-packed run runs past the end of its data");
        return (bytes, (int)Math.Min(Math.Min(groups, (ulong)int.MaxValue / 8) * 8, (ulong)wanted));
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> src, ref int pos)
    {
        ulong v = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (pos >= src.Length) throw new ParquetFormatException("RLE data ends before all its values");
            byte b = src[pos++];
            v |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return v;
        }
        throw new ParquetFormatException("RLE run header varint is too long");
    }

    /// <summary>Encodes values with runs of 8 or more repeats as RLE runs and the rest bit-packed.</summary>
    public static void Encode(ReadOnlySpan<int> values, int width, BufferBuilder dst)
    {
        int byteWidth = (width + 7) / 8, i = 0, n = values.Length;
        Span<long> group = stackalloc long[8];
        Span<byte> packed = stackalloc byte[64];
        while (i < n)
        {
            int run = 1;
            while (i + run < n && values[i + run] == values[i]) run++;
            if (run >= 8)
            {
                WriteVarint(dst, (ulong)run << 1);
                for (int b = 0; b < byteWidth; b++) dst.Append((byte)(values[i] >> (8 * b)));
                i += run;
                continue;
            }
            // A bit-packed run: groups of 8 until the next long repeat (the last group is padded with zeros).
            int start = i, end = i;
            while (end < n)
            {
                int r = 1;
                while (end + r < n && values[end + r] == values[end]) r++;
                if (r >= 8 && end > start) break;
                end = Math.Min(n, end + 8);
                if (end - start >= 8 * 63) break;
            }
            int groups = (end - start + 7) / 8;
            WriteVarint(dst, ((ulong)groups << 1) | 1);
            for (int gi = 0; gi < groups; gi++)
            {
                group.Clear();
                for (int k = 0; k < 8 && start + gi * 8 + k < end; k++) group[k] = values[start + gi * 8 + k];
                var p = packed[..width];
                p.Clear();
                BitPacking.Pack(group, width, p);
                dst.Append(p);
            }
            i = end;
        }
    }

    private static void WriteVarint(BufferBuilder dst, ulong v)
    {
        while (v >= 0x80) { dst.Append((byte)(v | 0x80)); v >>= 7; }
        dst.Append((byte)v);
    }
}
