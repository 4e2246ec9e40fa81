using System.Buffers.Binary;
using System.IO.Compression;
using QueryLake.Formats.Parquet.Metadata;
using QueryLake.Native;

namespace QueryLake.Formats.Parquet;

/// <summary>Page compression: SNAPPY (IronSnappy), GZIP and BROTLI (the runtime), ZSTD and LZ4 (the machine's libzstd and
/// liblz4). Decompression checks the declared size and never allocates more than the data can really produce.</summary>
internal static class ParquetCodecs
{
    /// <summary>The largest page QueryLake accepts (Parquet writers use pages of about 1 MB).</summary>
    public const int MaxPageSize = 1 << 30;

    [ThreadStatic] private static byte[]? t_scratch;

    /// <summary>Decompresses a page. The result may live in a per-thread scratch buffer that the next call on this
    /// thread reuses: decode it before decompressing another page.</summary>
    public static ReadOnlyMemory<byte> Decompress(CompressionCodec codec, ReadOnlyMemory<byte> src, int declared)
    {
        if (declared < 0 || declared > MaxPageSize) throw new ParquetFormatException($"a page declares {declared} uncompressed bytes");
        if (codec == CompressionCodec.Uncompressed)
        {
            if (src.Length != declared) throw new ParquetFormatException($"an uncompressed page holds {src.Length} bytes but declares {declared}");
            return src;
        }
        ReadOnlyMemory<byte> result;
        try
        {
            result = codec switch
            {
                CompressionCodec.Snappy => Snappy(src.Span, declared),
                CompressionCodec.Gzip => Stream(new GZipStream(new Columnar.Memory.ReadOnlyMemoryStream(src), CompressionMode.Decompress), declared),
                CompressionCodec.Brotli => Stream(new BrotliStream(new Columnar.Memory.ReadOnlyMemoryStream(src), CompressionMode.Decompress), declared),
                CompressionCodec.Zstd when declared <= OneShotLimit(src.Length) => ZstdOneShot(src.Span, declared, out var used) is var z ? z.AsMemory(0, used) : default,
                CompressionCodec.Zstd => Exact(Zstd.Decompress(src.Span, declared), declared),
                CompressionCodec.Lz4Raw => Lz4Raw(src.Span, declared),
                CompressionCodec.Lz4 => HadoopLz4(src.Span, declared),
                _ => throw new ParquetFormatException($"compression codec {codec} is not supported"),
            };
        }
        catch (InvalidDataException e)
        {
            throw new ParquetFormatException($"{codec} data is corrupt: {Errors.ErrorText.Describe(e)}");
        }
        return result;
    }

    /// <summary>Output sizes allocated up front; beyond this ratio the streaming path grows with the real output, so a
    /// hostile declared size costs nothing.</summary>
    private static long OneShotLimit(int compressed) => Math.Max(1L << 20, 64L * compressed);

    private static byte[] ZstdOneShot(ReadOnlySpan<byte> src, int declared, out int used)
    {
        var dst = t_scratch is { } s && s.Length >= declared ? s : (t_scratch = GC.AllocateUninitializedArray<byte>(Math.Max(declared, 1 << 16)));
        int n = Zstd.DecompressExact(src, dst.AsSpan(0, declared));
        if (n != declared) throw new ParquetFormatException($"a page decompresses to {n} bytes but declares {declared}");
        used = declared;
        return dst;
    }

    private static byte[] Exact(Memory<byte> m, int declared)
    {
        if (m.Length != declared) throw new ParquetFormatException($"a page decompresses to {m.Length} bytes but declares {declared}");
        return m.ToArray();
    }

    private static byte[] Snappy(ReadOnlySpan<byte> src, int declared)
    {
        // The stream starts with the uncompressed length; check it before the library allocates it.
        ulong len = 0;
        int pos = 0;
        for (int shift = 0; ; shift += 7)
        {
            if (pos >= src.Length || shift > 35) throw new ParquetFormatException("SNAPPY data has no valid length header");
            byte b = src[pos++];
            len |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) break;
        }
        if (len != (ulong)declared) throw new ParquetFormatException($"SNAPPY data holds {len} bytes but the page declares {declared}");
        if ((long)declared > (long)src.Length * 64 + 64) throw new ParquetFormatException($"SNAPPY data of {src.Length} bytes cannot expand to {declared}");
        try
        {
            return IronSnappy.Snappy.Decode(src);
        }
        catch (Exception e) when (e is not ParquetFormatException)
        {
            throw new ParquetFormatException($"SNAPPY data is corrupt: {Errors.ErrorText.Describe(e)}");
        }
    }

    private static byte[] Lz4Raw(ReadOnlySpan<byte> src, int declared)
    {
        if ((long)declared > (long)src.Length * 256 + 64) throw new ParquetFormatException($"LZ4 data of {src.Length} bytes cannot expand to {declared}");
        var dst = new byte[declared];
        int n = Lz4Block.Decompress(src, dst);
        if (n != declared) throw new ParquetFormatException(n < 0 ? "LZ4_RAW data is corrupt" : $"LZ4_RAW data holds {n} bytes but the page declares {declared}");
        return dst;
    }

    /// <summary>The deprecated LZ4 codec: Hadoop's framing (big-endian sizes around raw blocks), else a bare block.</summary>
    private static byte[] HadoopLz4(ReadOnlySpan<byte> src, int declared)
    {
        var dst = new byte[declared];
        int inPos = 0, outPos = 0;
        while (inPos + 8 <= src.Length && outPos < declared)
        {
            int raw = BinaryPrimitives.ReadInt32BigEndian(src[inPos..]), comp = BinaryPrimitives.ReadInt32BigEndian(src[(inPos + 4)..]);
            if (raw < 0 || comp < 0 || raw > declared - outPos || comp > src.Length - inPos - 8) return Lz4Raw(src, declared);
            int n = Lz4Block.Decompress(src.Slice(inPos + 8, comp), dst.AsSpan(outPos, raw));
            if (n != raw) return Lz4Raw(src, declared);
            inPos += 8 + comp;
            outPos += raw;
        }
        return outPos == declared && inPos == src.Length ? dst : Lz4Raw(src, declared);
    }

    private static byte[] Stream(Stream s, int declared)
    {
        using (s)
        {
            // Grows with the output really produced; a hostile declared size costs nothing.
            var buf = new byte[Math.Min(declared, 1 << 20)];
            int total = 0;
            while (true)
            {
                if (total == buf.Length)
                {
                    if (total == declared)
                    {
                        if (s.ReadByte() >= 0) throw new ParquetFormatException($"a page decompresses to more than the {declared} bytes it declares");
                        return buf;
                    }
                    Array.Resize(ref buf, (int)Math.Min((long)buf.Length * 2, declared));
                }
                int n = s.Read(buf, total, buf.Length - total);
                if (n == 0) break;
                total += n;
            }
            if (total != declared) throw new ParquetFormatException($"a page decompresses to {total} bytes but declares {declared}");
            return buf;
        }
    }

    public static byte[] Compress(CompressionCodec codec, ReadOnlySpan<byte> src)
    {
        switch (codec)
        {
            case CompressionCodec.Snappy: return IronSnappy.Snappy.Encode(src);
            case CompressionCodec.Zstd: return Zstd.Compress(src);
            case CompressionCodec.Lz4Raw: return Lz4Block.Compress(src);
            case CompressionCodec.Gzip:
                {
                    using var ms = new MemoryStream();
                    using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(src);
                    return ms.ToArray();
                }
            case CompressionCodec.Brotli:
                {
                    using var ms = new MemoryStream();
                    using (var br = new BrotliStream(ms, CompressionLevel.Fastest, leaveOpen: true)) br.Write(src);
                    return ms.ToArray();
                }
            default: return src.ToArray();
        }
    }
}
