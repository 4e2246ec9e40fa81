using System.Runtime.InteropServices;

namespace QueryLake.Native;

/// <summary>Raw LZ4 blocks (no frame) through the machine's liblz4.so.1: Parquet's LZ4_RAW codec.</summary>
internal static unsafe partial class Lz4Block
{
    private const string Lib = "liblz4.so.1";

    [LibraryImport(Lib, EntryPoint = "LZ4_decompress_safe")] private static partial int DecompressSafe(byte* src, byte* dst, int srcSize, int dstCapacity);
    [LibraryImport(Lib, EntryPoint = "LZ4_compressBound")] private static partial int CompressBound(int inputSize);
    [LibraryImport(Lib, EntryPoint = "LZ4_compress_default")] private static partial int CompressDefault(byte* src, byte* dst, int srcSize, int dstCapacity);

    /// <summary>Decompresses a block into <paramref name="dst"/>; returns the bytes written, or -1 when the block is malformed
    /// or does not fit.</summary>
    public static int Decompress(ReadOnlySpan<byte> src, Span<byte> dst)
    {
        fixed (byte* s = src)
        fixed (byte* d = dst)
            return DecompressSafe(s, d, src.Length, dst.Length);
    }

    /// <summary>Compresses <paramref name="src"/> into a new array.</summary>
    public static byte[] Compress(ReadOnlySpan<byte> src)
    {
        var dst = new byte[CompressBound(src.Length)];
        fixed (byte* s = src)
        fixed (byte* d = dst)
        {
            int n = CompressDefault(s, d, src.Length, dst.Length);
            if (n <= 0) throw new InvalidOperationException("lz4 compression failed");
            Array.Resize(ref dst, n);
            return dst;
        }
    }
}
