using QueryLake.Errors;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace QueryLake.Formats.Images;

/// <summary>
/// Decodes and encodes images through SixLabors.ImageSharp 2.1: PNG, JPEG (baseline and progressive), WebP, GIF and
/// TIFF (their first frame), BMP, TGA and PBM. Dimensions are read from the header first and images over
/// <see cref="MaxPixels"/> are refused before any pixel memory is allocated (decompression bombs); damaged bytes give
/// <c>QL-IMAGE-CORRUPT</c>, unknown ones <c>QL-IMAGE-UNSUPPORTED</c>, never a crash.
/// </summary>
internal static class ImageCodec
{
    /// <summary>The most pixels an image may have to be decoded (16384 × 16384).</summary>
    public const long MaxPixels = 16384L * 16384;

    /// <summary>One decoder thread per image: QueryLake runs several batches at once already (SET threads).</summary>
    private static readonly Configuration Config = Build();

    private static Configuration Build()
    {
        var c = Configuration.Default.Clone();
        c.MaxDegreeOfParallelism = 1;
        c.ImageFormatsManager.SetDecoder(GifFormat.Instance, new GifDecoder { DecodingMode = FrameDecodingMode.First, IgnoreMetadata = true });
        c.ImageFormatsManager.SetDecoder(TiffFormat.Instance, new TiffDecoder { DecodingMode = FrameDecodingMode.First, IgnoreMetadata = true });
        c.ImageFormatsManager.SetDecoder(WebpFormat.Instance, new WebpDecoder { IgnoreMetadata = true });
        c.ImageFormatsManager.SetDecoder(PngFormat.Instance, new SixLabors.ImageSharp.Formats.Png.PngDecoder { IgnoreMetadata = true });
        c.ImageFormatsManager.SetDecoder(JpegFormat.Instance, new JpegDecoder { IgnoreMetadata = true });
        return c;
    }

    /// <summary>The image's width, height and format name from its header, without decoding pixels; null when the
    /// bytes are no image the library knows.</summary>
    public static (int Width, int Height, string Format)? Identify(byte[] bytes)
    {
        try
        {
            var info = Image.Identify(Config, bytes, out var format);
            return info is null || format is null ? null : (info.Width, info.Height, Name(format));
        }
        catch (Exception e) when (Damage(e)) { return null; }
    }

    /// <summary>Decodes to RGBA pixels; <paramref name="cancel"/> stops a long decode. The pixels are charged to the
    /// running query's memory limit before they are allocated (<see cref="Execution.RowMemory"/>), until the row is done.</summary>
    public static Image<Rgba32> Load(byte[] bytes, CancellationToken cancel = default)
    {
        IImageInfo? info;
        IImageFormat? format;
        try { info = Image.Identify(Config, bytes, out format); }
        catch (Exception e) when (Damage(e)) { throw Corrupt(e); }
        if (info is null || format is null)
            throw new QueryLakeException("QL-IMAGE-UNSUPPORTED", ImageHeader.Read(bytes) is { } h
                ? $"{h.Format} images cannot be decoded; use the try_ form to skip them"
                : "the bytes are not an image (PNG, JPEG, WebP, GIF, TIFF, BMP, TGA or PBM); try(…) gives NULL instead");
        if (info.Width <= 0 || info.Height <= 0 || (long)info.Width * info.Height > MaxPixels)
            throw new QueryLakeException("QL-IMAGE-TOO-LARGE",
                $"the {Name(format)} image is {info.Width} × {info.Height} pixels; at most {MaxPixels:N0} pixels are decoded (a larger one would take {(long)info.Width * info.Height * 4 / (1 << 20):N0} MB)");
        Execution.RowMemory.Charge((long)info.Width * info.Height * 4, $"decoding a {info.Width} × {info.Height} {Name(format)} image");
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            return Config.ImageFormatsManager.FindDecoder(format).Decode<Rgba32>(Config, stream, cancel);
        }
        catch (Exception e) when (Damage(e)) { throw Corrupt(e); }
    }

    /// <summary>Decodes to width, height and RGBA bytes, row by row.</summary>
    public static (int W, int H, byte[] Rgba) Decode(byte[] bytes, CancellationToken cancel = default)
    {
        using var image = Load(bytes, cancel);
        Execution.RowMemory.Charge((long)image.Width * image.Height * 4, $"the pixels of a {image.Width} × {image.Height} image");
        var rgba = new byte[checked(image.Width * image.Height * 4)];
        image.CopyPixelDataTo(rgba);
        return (image.Width, image.Height, rgba);
    }

    /// <summary>Encodes in a format: png, jpeg (quality 1–100) or webp (lossy at a quality, lossless without one).</summary>
    public static byte[] Encode(Image image, string format, int? quality = null)
    {
        using var output = new MemoryStream();
        switch (format.ToLowerInvariant())
        {
            case "png": image.SaveAsPng(output, new SixLabors.ImageSharp.Formats.Png.PngEncoder()); break;
            case "jpeg" or "jpg": image.SaveAsJpeg(output, new JpegEncoder { Quality = quality ?? 75 }); break;
            case "webp":
                image.SaveAsWebp(output, quality is { } q
                    ? new WebpEncoder { FileFormat = WebpFileFormatType.Lossy, Quality = q }
                    : new WebpEncoder { FileFormat = WebpFileFormatType.Lossless });
                break;
            default: throw new QueryLakeException("QL-BAD-ARGUMENT", $"images encode as 'png', 'jpeg' or 'webp', not '{format}'");
        }
        return output.ToArray();
    }

    /// <summary>A PNG at deflate's fastest level, for the transforms' outputs: 5× faster than the default level for 9%
    /// more bytes (measured on 224 × 224 resized frames: 7 against 40 ms), and these are intermediate images.</summary>
    public static byte[] EncodeFastPng(Image image)
    {
        using var output = new MemoryStream();
        image.SaveAsPng(output, new SixLabors.ImageSharp.Formats.Png.PngEncoder { CompressionLevel = SixLabors.ImageSharp.Formats.Png.PngCompressionLevel.BestSpeed });
        return output.ToArray();
    }

    private static string Name(IImageFormat format) => format.Name.ToLowerInvariant();

    /// <summary>What decoding hostile bytes throws: the library's format errors and the range errors its checks trip.</summary>
    private static bool Damage(Exception e) =>
        e is ImageFormatException or UnknownImageFormatException or InvalidImageContentException or NotSupportedException
            or InvalidDataException or IndexOutOfRangeException or ArgumentException or OverflowException or InvalidOperationException
            or EndOfStreamException or SixLabors.ImageSharp.Memory.InvalidMemoryOperationException;

    private static QueryLakeException Corrupt(Exception e) => new("QL-IMAGE-CORRUPT",
        $"the image does not decode: {(e is ImageFormatException or InvalidImageContentException ? e.Message.TrimEnd('.') : ErrorText.Describe(e))}; try(…) gives NULL instead and try_error(…) this message", e);
}
