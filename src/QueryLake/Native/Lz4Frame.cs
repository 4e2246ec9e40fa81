using System.Runtime.InteropServices;

namespace QueryLake.Native;

/// <summary>Decoding of the LZ4 frame format through the machine's liblz4.so.1 (QueryLake reads LZ4, writes ZSTD).</summary>
internal static unsafe partial class Lz4Frame
{
    private const string Lib = "liblz4.so.1";
    private const uint Version = 100;

    [LibraryImport(Lib, EntryPoint = "LZ4F_isError")] private static partial uint IsError(nuint code);
    [LibraryImport(Lib, EntryPoint = "LZ4F_getErrorName")] private static partial nint GetErrorName(nuint code);
    [LibraryImport(Lib, EntryPoint = "LZ4F_createDecompressionContext")] private static partial nuint CreateContext(nint* ctx, uint version);
    [LibraryImport(Lib, EntryPoint = "LZ4F_freeDecompressionContext")] private static partial nuint FreeContext(nint ctx);
    [LibraryImport(Lib, EntryPoint = "LZ4F_decompress")] private static partial nuint DecompressNative(nint ctx, byte* dst, nuint* dstSize, byte* src, nuint* srcSize, nint options);

    private static string ErrorName(nuint code) => Marshal.PtrToStringAnsi(GetErrorName(code)) ?? "unknown lz4 error";

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
