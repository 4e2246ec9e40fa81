using QueryLake.Columnar.Types;
using QueryLake.Formats.Images;

namespace QueryLake.Functions.Scalar;

/// <summary>Image facts read from the header without decoding pixels (PNG, JPEG, GIF, BMP and WebP by QueryLake's own
/// sniffer; TIFF, TGA, PBM and other WebP forms by ImageSharp's header reader); NULL for bytes that are not an image.</summary>
internal static class ImageFunctions
{
    public static void Register(FunctionRegistry r)
    {
        r.Add(Header("image_format", DataType.Utf8, "The image's format (png, jpeg, gif, bmp, webp, tiff, tga, pbm), from its header.", h => h.Format));
        r.Add(Header("image_width", DataType.Int64, "The image's width in pixels, from its header.", h => (long)h.Width));
        r.Add(Header("image_height", DataType.Int64, "The image's height in pixels, from its header.", h => (long)h.Height));
        r.Add(Header("image_channels", DataType.Int64, "Colour channels (1 grey, 2 grey+alpha, 3 colour, 4 colour+alpha), from the header.", h => h.Channels == 0 ? null : (long)h.Channels));
    }

    private static ImageHeader? Header(byte[] b) =>
        ImageHeader.Read(b) ?? (ImageCodec.Identify(b) is { } i ? new ImageHeader(i.Format, i.Width, i.Height) : null);

    private static bool Blob(DataType t) => t.StorageType is VariableBinaryType { IsUtf8: false } || t is NullType;

    private static ScalarFunction Header(string name, DataType result, string description, Func<ImageHeader, object?> f) =>
        new(name, $"{name}(image)", description, $"SELECT {name}(CAST(NULL AS BLOB))",
            t => t.Count == 1 && Blob(t[0])
                ? new Resolution(result, RowMapped.Kernel(result, a => a[0] is byte[] b && Header(b) is { } h ? f(h) : null))
                : null);
}
