using System.Runtime.InteropServices;

namespace QueryLake.Native;

/// <summary>The LZ4 frame format through the machine's liblz4.so.1.</summary>
internal static unsafe partial class Lz4Frame
{
    private const string Lib = "liblz4.so.1";
    private const uint Version = 100;

    [LibraryImport(Lib, EntryPoint = "LZ4F_compressFrameBound")] private static partial nuint CompressFrameBound(nuint srcSize, nint prefs);
    [LibraryImport(Lib, EntryPoint = "LZ4F_compressFrame")] private static partial nuint CompressFrame(byte* dst, nuint dstCapacity, byte* src, nuint srcSize, nint prefs);
    [LibraryImport(Lib, EntryPoint = "LZ4F_isError")] private static partial uint IsError(nuint code);
    [LibraryImport(Lib, EntryPoint = "LZ4F_getErrorName")] private static partial nint GetErrorName(nuint code);
    [LibraryImport(Lib, EntryPoint = "LZ4F_createDecompressionContext")] private static partial nuint CreateContext(nint* ctx, uint version);
    [LibraryImport(Lib, EntryPoint = "LZ4F_freeDecompressionContext")] private static partial nuint FreeContext(nint ctx);
    [LibraryImport(Lib, EntryPoint = "LZ4F_decompress")] private static partial nuint DecompressNative(nint ctx, byte* dst, nuint* dstSize, byte* src, nuint* srcSize, nint options);

    private static string ErrorName(nuint code) => Marshal.PtrToStringAnsi(GetErrorName(code)) ?? "unknown lz4 error";

    /// <summary>Compresses into one LZ4 frame.</summary>
    public static byte[] Compress(ReadOnlySpan<byte> src)
    {
        var dst = new byte[(int)CompressFrameBound((nuint)src.Length, 0)];
        fixed (byte* s = src)
        fixed (byte* d = dst)
        {
            nuint n = CompressFrame(d, (nuint)dst.Length, s, (nuint)src.Length, 0);
            if (IsError(n) != 0) throw new InvalidOperationException($"lz4 compression failed: {ErrorName(n)}");
            Array.Resize(ref dst, (int)n);
            return dst;
        }
    }

    /// <summary>Decompresses LZ4 frames declared to hold <paramref name="declaredLength"/> bytes; see
    /// <see cref="Zstd.Decompress"/> for the allocation and error guarantees.</summary>
    public static Memory<byte> Decompress(ReadOnlySpan<byte> src, long declaredLength)
    {
        nint ctx;
        nuint rc = CreateContext(&ctx, Version);
        if (IsError(rc) != 0) throw new InvalidOperationException($"lz4: {ErrorName(rc)}");
        try
        {
            var output = new DecompressionOutput(declaredLength, src.Length);
            fixed (byte* s0 = src)
            {
                byte* s = s0;
                nuint srcLeft = (nuint)src.Length;
                while (srcLeft > 0)
                {
                    var window = output.Window();
                    fixed (byte* d = window)
                    {
                        nuint srcSize = srcLeft, dstSize = (nuint)window.Length;
                        nuint hint = DecompressNative(ctx, d, &dstSize, s, &srcSize, 0);
                        if (IsError(hint) != 0) throw new InvalidDataException($"lz4: {ErrorName(hint)}");
                        output.Advance((int)dstSize);
                        s += srcSize; srcLeft -= srcSize;
                        if (srcSize == 0 && dstSize == 0) throw new InvalidDataException("lz4: frame is truncated");
                    }
                }
            }
            return output.Finish();
        }
        finally
        {
            FreeContext(ctx);
        }
    }
}
