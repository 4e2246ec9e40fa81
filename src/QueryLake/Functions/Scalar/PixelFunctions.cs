using QueryLake.Columnar.Types;
using QueryLake.Errors;
using QueryLake.Formats.Images;

namespace QueryLake.Functions.Scalar;

/// <summary>Functions that decode pixels (through ImageSharp, <see cref="ImageCodec"/>: PNG, JPEG, WebP, GIF, TIFF, BMP,
/// TGA, PBM) and transform images. Bytes that do not decode give a clear error, or NULL in the try_ forms.</summary>
internal static class PixelFunctions
{
    public static void Register(FunctionRegistry r)
    {
        r.Add(Blob("image_is_valid", DataType.Boolean, "True when the image decodes (PNG, JPEG, WebP, GIF, TIFF, BMP, TGA, PBM); false when it is damaged, too large or not an image.",
            b => Try(b) is not null));
        r.Add(Blob("image_brightness", DataType.Float64, "Mean luma (Rec. 601) of the decoded pixels, from 0 (black) to 1 (white); fails on bytes that do not decode.",
            b => Brightness(Decode(b))));
        r.Add(Blob("try_image_brightness", DataType.Float64, "Like image_brightness, but NULL where the image does not decode.",
            b => Try(b) is { } d ? Brightness(d) : null));
        var stats = DataType.Struct(new Columnar.Field("width", DataType.Int64), new Columnar.Field("height", DataType.Int64),
            new Columnar.Field("mean_r", DataType.Float64), new Columnar.Field("mean_g", DataType.Float64), new Columnar.Field("mean_b", DataType.Float64),
            new Columnar.Field("brightness", DataType.Float64), new Columnar.Field("contrast", DataType.Float64));
        r.Add(Blob("image_stats", stats, "Width, height, mean red, green and blue (0..1), brightness (mean luma) and contrast (luma standard deviation).",
            b => Stats(Decode(b))));
        r.Add(Blob("image_embedding", new Columnar.Types.EmbeddingType(ImageEmbedder.Dimension),
            $"A {ImageEmbedder.Dimension}-dimensional unit-length EMBEDDING from the small built-in embedder (4 × 4 grid of luma, warmth, contrast and edge energy): similar scenes have high cosine_similarity; deterministic on every machine.",
            b => { var d = Decode(b); return ImageEmbedder.Embed(d.W, d.H, d.Rgba); }));
    }

    private static ScalarFunction Blob(string name, DataType result, string description, Func<byte[], object?> f) =>
        new(name, $"{name}(image)", description, $"SELECT {name}(CAST(NULL AS BLOB))",
            t => t.Count == 1 && (t[0].StorageType is VariableBinaryType { IsUtf8: false } || t[0] is NullType)
                ? new Resolution(result, RowMapped.Kernel(result, a => a[0] is byte[] b ? f(b) : null))
                : null);

    private static (int W, int H, byte[] Rgba) Decode(byte[] b) => ImageCodec.Decode(b, RowMapped.Cancellation);

    private static (int W, int H, byte[] Rgba)? Try(byte[] b)
    {
        try { return Decode(b); }
        catch (QueryLakeException e) when (e.Code is not ("QL-OUT-OF-MEMORY" or "QL-TIMEOUT" or "QL-CANCELLED")) { return null; }
    }

    private static Dictionary<string, object?> Stats((int W, int H, byte[] Rgba) d)
    {
        double r = 0, g = 0, b = 0, luma = 0, luma2 = 0;
        var p = d.Rgba;
        for (int i = 0; i < p.Length; i += 4)
        {
            r += p[i]; g += p[i + 1]; b += p[i + 2];
            double y = (0.299 * p[i] + 0.587 * p[i + 1] + 0.114 * p[i + 2]) / 255;
            luma += y; luma2 += y * y;
        }
        double n = (double)d.W * d.H, mean = luma / n;
        return new Dictionary<string, object?>
        {
            ["width"] = (long)d.W, ["height"] = (long)d.H, ["mean_r"] = r / n / 255, ["mean_g"] = g / n / 255, ["mean_b"] = b / n / 255,
            ["brightness"] = mean, ["contrast"] = Math.Sqrt(Math.Max(0, luma2 / n - mean * mean)),
        };
    }

    private static double Brightness((int W, int H, byte[] Rgba) d)
    {
        double sum = 0;
        var p = d.Rgba;
        for (int i = 0; i < p.Length; i += 4) sum += 0.299 * p[i] + 0.587 * p[i + 1] + 0.114 * p[i + 2];
        return sum / ((double)d.W * d.H) / 255;
    }
}
