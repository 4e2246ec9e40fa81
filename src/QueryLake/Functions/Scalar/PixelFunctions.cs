using QueryLake.Columnar.Types;
using QueryLake.Errors;
using QueryLake.Formats.Images;

namespace QueryLake.Functions.Scalar;

/// <summary>Functions that decode pixels: PNG (all colour types and depths, interlaced or not) and JPEG (baseline and
/// progressive Huffman, greyscale or YCbCr, any subsampling). Other formats give NULL (image_is_valid, try_ forms) or
/// a clear error.</summary>
internal static class PixelFunctions
{
    public static void Register(FunctionRegistry r)
    {
        r.Add(Blob("image_is_valid", DataType.Boolean, "True when the image decodes (PNG, JPEG); false when it is damaged or not an image; NULL for formats QueryLake cannot decode yet (GIF, BMP, WebP).",
            b => ImageHeader.Read(b) is { Format: "png" or "jpeg" } || LooksDecodable(b) ? Try(b) is not null : ImageHeader.Read(b) is null ? false : null));
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
        r.Add(new ScalarFunction("thumbnail", "thumbnail(image, size)", "A PNG of the image scaled down (box filter) to fit size × size pixels; images already small enough are re-encoded as they are.",
            "SELECT thumbnail(CAST(NULL AS BLOB), 64)",
            t => t.Count == 2 && (t[0].StorageType is VariableBinaryType { IsUtf8: false } || t[0] is NullType) && t[1].IsNumeric
                ? new Resolution(new Columnar.Types.ImageType("png"), RowMapped.Kernel(new Columnar.Types.ImageType("png"), a => a[0] is byte[] b && a[1] is { } s
                    ? Thumbnail(Decode(b), (int)Math.Clamp(Convert.ToInt64(s, System.Globalization.CultureInfo.InvariantCulture), 1, 4096)) : null), [t[0], DataType.Int64])
                : null));
    }

    private static ScalarFunction Blob(string name, DataType result, string description, Func<byte[], object?> f) =>
        new(name, $"{name}(image)", description, $"SELECT {name}(CAST(NULL AS BLOB))",
            t => t.Count == 1 && (t[0].StorageType is VariableBinaryType { IsUtf8: false } || t[0] is NullType)
                ? new Resolution(result, RowMapped.Kernel(result, a => a[0] is byte[] b ? f(b) : null))
                : null);

    /// <summary>Starts like a PNG or JPEG even if the header is damaged (so it is reported as invalid, not unknown).</summary>
    private static bool LooksDecodable(byte[] b) => b.Length >= 2 && (b[0] == 0xFF && b[1] == 0xD8 || b.Length >= 4 && b[0] == 0x89 && b[1] == (byte)'P');

    private static (int W, int H, byte[] Rgba) DecodeAny(byte[] b)
    {
        if (b.Length >= 2 && b[0] == 0xFF && b[1] == 0xD8) return JpegDecoder.Decode(b);
        if (b.Length >= 4 && b[0] == 0x89 && b[1] == (byte)'P') return PngDecoder.Decode(b);
        throw new QueryLakeException("QL-IMAGE-UNSUPPORTED", ImageHeader.Read(b) is { } h
            ? $"decoding {h.Format} images is not implemented yet (PNG and JPEG are); use the try_ form to skip them"
            : "the bytes are not an image QueryLake can decode (PNG or JPEG)");
    }

    private static (int W, int H, byte[] Rgba) Decode(byte[] b)
    {
        try { return DecodeAny(b); }
        catch (InvalidDataException e) { throw new QueryLakeException("QL-IMAGE-CORRUPT", $"the image does not decode: {e.Message}; try(…) gives NULL instead and try_error(…) this message", e); }
    }

    private static (int W, int H, byte[] Rgba)? Try(byte[] b)
    {
        try { return DecodeAny(b); }
        catch (Exception e) when (e is InvalidDataException or QueryLakeException) { return null; }
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

    /// <summary>Box-filter downscale to fit size × size, keeping the aspect ratio.</summary>
    private static byte[] Thumbnail((int W, int H, byte[] Rgba) d, int size)
    {
        double scale = Math.Min(1.0, Math.Min((double)size / d.W, (double)size / d.H));
        int w = Math.Max(1, (int)Math.Round(d.W * scale)), h = Math.Max(1, (int)Math.Round(d.H * scale));
        var output = new byte[w * h * 4];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int x0 = x * d.W / w, x1 = Math.Max(x0 + 1, (x + 1) * d.W / w), y0 = y * d.H / h, y1 = Math.Max(y0 + 1, (y + 1) * d.H / h);
                long r = 0, g = 0, b = 0, a = 0, count = 0;
                for (int sy = y0; sy < y1; sy++)
                    for (int sx = x0; sx < x1; sx++)
                    {
                        int i = (sy * d.W + sx) * 4;
                        r += d.Rgba[i]; g += d.Rgba[i + 1]; b += d.Rgba[i + 2]; a += d.Rgba[i + 3]; count++;
                    }
                int o = (y * w + x) * 4;
                output[o] = (byte)(r / count); output[o + 1] = (byte)(g / count); output[o + 2] = (byte)(b / count); output[o + 3] = (byte)(a / count);
            }
        return PngEncoder.Encode(w, h, output);
    }

    private static double Brightness((int W, int H, byte[] Rgba) d)
    {
        double sum = 0;
        var p = d.Rgba;
        for (int i = 0; i < p.Length; i += 4) sum += 0.299 * p[i] + 0.587 * p[i + 1] + 0.114 * p[i + 2];
        return sum / ((double)d.W * d.H) / 255;
    }
}
