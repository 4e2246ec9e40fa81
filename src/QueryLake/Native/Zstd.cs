using System.Runtime.InteropServices;

namespace QueryLake.Native;

/// <summary>ZSTD through the machine's libzstd.so.1.</summary>
internal static unsafe partial class Zstd
{
    private const string Lib = "libzstd.so.1";

    [StructLayout(LayoutKind.Sequential)]
    private struct InBuffer { public byte* Src; public nuint Size; public nuint Pos; }

    [StructLayout(LayoutKind.Sequential)]
    private struct OutBuffer { public byte* Dst; public nuint Size; public nuint Pos; }

    [LibraryImport(Lib, EntryPoint = "ZSTD_compressBound")] private static partial nuint CompressBound(nuint srcSize);
    [LibraryImport(Lib, EntryPoint = "ZSTD_compress")] private static partial nuint CompressNative(byte* dst, nuint dstCapacity, byte* src, nuint srcSize, int level);
    [LibraryImport(Lib, EntryPoint = "ZSTD_createCCtx")] private static partial nint CreateCCtx();
    [LibraryImport(Lib, EntryPoint = "ZSTD_compressCCtx")] private static partial nuint CompressCCtx(nint ctx, byte* dst, nuint dstCapacity, byte* src, nuint srcSize, int level);
    [LibraryImport(Lib, EntryPoint = "ZSTD_isError")] private static partial uint IsError(nuint code);
    [LibraryImport(Lib, EntryPoint = "ZSTD_getErrorName")] private static partial nint GetErrorName(nuint code);
    [LibraryImport(Lib, EntryPoint = "ZSTD_createDCtx")] private static partial nint CreateDCtx();
    [LibraryImport(Lib, EntryPoint = "ZSTD_freeDCtx")] private static partial nuint FreeDCtx(nint ctx);
    [LibraryImport(Lib, EntryPoint = "ZSTD_decompressDCtx")] private static partial nuint DecompressDCtx(nint ctx, byte* dst, nuint dstCapacity, byte* src, nuint srcSize);
    [LibraryImport(Lib, EntryPoint = "ZSTD_decompressStream")] private static partial nuint DecompressStream(nint ctx, OutBuffer* output, InBuffer* input);

    private static string ErrorName(nuint code) => Marshal.PtrToStringAnsi(GetErrorName(code)) ?? "unknown zstd error";

    /// <summary>Compresses <paramref name="src"/> into a new array.</summary>
    public static byte[] Compress(ReadOnlySpan<byte> src, int level = 3)
    {
        var scratch = System.Buffers.ArrayPool<byte>.Shared.Rent(MaxCompressedLength(src.Length));
        try { return scratch.AsSpan(0, Compress(src, scratch, level)).ToArray(); }
        finally { System.Buffers.ArrayPool<byte>.Shared.Return(scratch); }
    }

    /// <summary>The most bytes compressing <paramref name="length"/> bytes can take.</summary>
    public static int MaxCompressedLength(int length) => checked((int)CompressBound((nuint)length));

    [ThreadStatic] private static nint t_compressor;

    /// <summary>Compresses <paramref name="src"/> into <paramref name="dst"/> (at least <see cref="MaxCompressedLength"/>
    /// long) with a per-thread context (no per-call setup); returns the bytes written.</summary>
    public static int Compress(ReadOnlySpan<byte> src, Span<byte> dst, int level = 3)
    {
        if (t_compressor == 0) t_compressor = CreateCCtx();
        fixed (byte* s = src)
        fixed (byte* d = dst)
        {
            nuint n = CompressCCtx(t_compressor, d, (nuint)dst.Length, s, (nuint)src.Length, level);
            if (IsError(n) != 0) throw new InvalidOperationException($"zstd compression failed: {ErrorName(n)}");
            return (int)n;
        }
    }

    [ThreadStatic] private static nint t_context;

    /// <summary>Decompresses into <paramref name="dst"/>, which must be exactly the content size, with a per-thread
    /// context; returns the bytes written, or throws with the reason.</summary>
    public static int DecompressExact(ReadOnlySpan<byte> src, Span<byte> dst)
    {
        if (t_context == 0)
        {
            t_context = CreateDCtx();
            if (t_context == 0) throw new OutOfMemoryException("zstd: cannot create a decompression context");
        }
        fixed (byte* s = src)
        fixed (byte* d = dst)
        {
            nuint n = DecompressDCtx(t_context, d, (nuint)dst.Length, s, (nuint)src.Length);
            if (IsError(n) != 0) throw new InvalidDataException($"zstd: {ErrorName(n)}");
            return (int)n;
        }
    }

    /// <summary>
    /// Decompresses data declared to hold about <paramref name="declaredLength"/> bytes. Memory grows with
    /// the output actually produced, so a hostile declared length never causes a large allocation;
    /// malformed or truncated input fails with the reason.
    /// </summary>
    public static Memory<byte> Decompress(ReadOnlySpan<byte> src, long declaredLength)
    {
        nint ctx = CreateDCtx();
        if (ctx == 0) throw new OutOfMemoryException("zstd: cannot create a decompression context");
        try
        {
            var output = new DecompressionOutput(declaredLength, src.Length);
            fixed (byte* s = src)
            {
                var input = new InBuffer { Src = s, Size = (nuint)src.Length };
                while (true)
                {
                    var window = output.Window();
                    fixed (byte* d = window)
                    {
                        var outBuf = new OutBuffer { Dst = d, Size = (nuint)window.Length };
                        nuint r = DecompressStream(ctx, &outBuf, &input);
                        if (IsError(r) != 0) throw new InvalidDataException($"zstd: {ErrorName(r)}");
                        output.Advance((int)outBuf.Pos);
                        if (r == 0 && input.Pos == input.Size) break;
                        if (input.Pos == input.Size && outBuf.Pos < outBuf.Size) throw new InvalidDataException("zstd: frame is truncated");
                    }
                }
            }
            return output.Finish();
        }
        finally
        {
            FreeDCtx(ctx);
        }
    }
}
