using QueryLake.Columnar.Types;
using QueryLake.Errors;
using QueryLake.Formats.Images;

namespace QueryLake.Functions.Scalar;

/// <summary>Functions that decode pixels. PNG is decoded (all colour types and depths, interlaced or not); JPEG
/// decoding is not implemented yet, so these give NULL (try_ forms, image_is_valid) or a clear error for JPEGs.</summary>
internal static class PixelFunctions
{
    public static void Register(FunctionRegistry r)
    {
        r.Add(Blob("image_is_valid", DataType.Boolean, "True when the image decodes; false when it is damaged; NULL for formats QueryLake cannot decode yet (JPEG).",
            b => ImageHeader.Read(b) is { Format: "png" } ? Try(b) is not null : ImageHeader.Read(b) is null ? false : null));
        r.Add(Blob("image_brightness", DataType.Float64, "Mean luma (Rec. 601) of the decoded pixels, from 0 (black) to 1 (white); fails on bytes that do not decode.",
            b => Brightness(Decode(b))));
        r.Add(Blob("try_image_brightness", DataType.Float64, "Like image_brightness, but NULL where the image does not decode.",
            b => Try(b) is { } d ? Brightness(d) : null));
    }

    private static ScalarFunction Blob(string name, DataType result, string description, Func<byte[], object?> f) =>
        new(name, $"{name}(image)", description, $"SELECT {name}(CAST(NULL AS BLOB))",
            t => t.Count == 1 && (t[0].StorageType is VariableBinaryType { IsUtf8: false } || t[0] is NullType)
                ? new Resolution(result, RowMapped.Kernel(result, a => a[0] is byte[] b ? f(b) : null))
                : null);

    private static (int W, int H, byte[] Rgba) Decode(byte[] b)
    {
        var header = ImageHeader.Read(b);
        if (header is { Format: not "png" } h) throw new QueryLakeException("QL-IMAGE-UNSUPPORTED", $"decoding {h.Format} images is not implemented yet (PNG is); use try_image_brightness to skip them");
        try { return PngDecoder.Decode(b); }
        catch (InvalidDataException e) { throw new QueryLakeException("QL-IMAGE-CORRUPT", $"the image does not decode: {e.Message}; use try_image_brightness to get NULL instead", e); }
    }

    private static (int W, int H, byte[] Rgba)? Try(byte[] b)
    {
        if (ImageHeader.Read(b) is not { Format: "png" }) return null;
        try { return PngDecoder.Decode(b); }
        catch (InvalidDataException) { return null; }
    }

    private static double Brightness((int W, int H, byte[] Rgba) d)
    {
        double sum = 0;
        var p = d.Rgba;
        for (int i = 0; i < p.Length; i += 4) sum += 0.299 * p[i] + 0.587 * p[i + 1] + 0.114 * p[i + 2];
        return sum / ((double)d.W * d.H) / 255;
    }
}
