using System.Globalization;
using QueryLake.Columnar.Types;
using QueryLake.Errors;
using QueryLake.Formats.Images;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using SixLabors.ImageSharp.Processing.Processors.Transforms;

namespace QueryLake.Functions.Scalar;

/// <summary>Image transforms through ImageSharp: thumbnail, resize, crop, center crop and re-encoding. They decode any
/// format <see cref="ImageCodec"/> reads and give a PNG (lossless), except image_encode, which picks the format.</summary>
internal static class ImageTransforms
{
    private static readonly ImageType Png = new("png");

    public static void Register(FunctionRegistry r)
    {
        r.Add(Function("thumbnail", "thumbnail(image, size)",
            "A PNG of the image scaled down (area averaging) to fit size × size pixels, keeping its aspect ratio; images already small enough are re-encoded as they are.",
            "SELECT thumbnail(CAST(NULL AS BLOB), 64)", [DataType.Int64], Png, (img, a) =>
            {
                int size = Size(a[0], "size");
                if (img.Width > size || img.Height > size)
                    img.Mutate(x => x.Resize(new ResizeOptions { Size = new Size(size, size), Mode = ResizeMode.Max, Sampler = KnownResamplers.Box }));
                return ImageCodec.EncodeFastPng(img);
            }));
        r.Add(Function("image_resize", "image_resize(image, width, height [, 'bilinear' | 'bicubic' | 'nearest'])",
            "The image resampled to exactly width × height pixels (bilinear unless named), as a PNG.",
            "SELECT image_resize(CAST(NULL AS BLOB), 224, 224, 'bicubic')", [DataType.Int64, DataType.Int64], Png, (img, a) =>
            {
                var sampler = a.Length > 2 ? Sampler((string)a[2]!) : KnownResamplers.Triangle;
                img.Mutate(x => x.Resize(new ResizeOptions { Size = new Size(Size(a[0], "width"), Size(a[1], "height")), Mode = ResizeMode.Stretch, Sampler = sampler }));
                return ImageCodec.EncodeFastPng(img);
            }, optional: DataType.Utf8));
        r.Add(Function("image_crop", "image_crop(image, x, y, width, height)",
            "The width × height pixels whose top-left corner is at (x, y), as a PNG; the rectangle must lie inside the image.",
            "SELECT image_crop(CAST(NULL AS BLOB), 0, 0, 32, 32)", [DataType.Int64, DataType.Int64, DataType.Int64, DataType.Int64], Png, (img, a) =>
            {
                int x = Offset(a[0], "x"), y = Offset(a[1], "y"), w = Size(a[2], "width"), h = Size(a[3], "height");
                if ((long)x + w > img.Width || (long)y + h > img.Height)
                    throw new QueryLakeException("QL-BAD-ARGUMENT",
                        $"image_crop({x}, {y}, {w}, {h}) reaches past the {img.Width} × {img.Height} image; the rectangle must lie inside it");
                img.Mutate(c => c.Crop(new Rectangle(x, y, w, h)));
                return ImageCodec.EncodeFastPng(img);
            }));
        r.Add(Function("image_center_crop", "image_center_crop(image, size)",
            "The central size × size pixels, as torchvision's CenterCrop takes them (an image smaller than size is padded with black around it), as a PNG.",
            "SELECT image_center_crop(image_resize(CAST(NULL AS BLOB), 256, 256), 224)", [DataType.Int64], Png, (img, a) =>
            {
                int size = Size(a[0], "size");
                using var output = new Image<Rgba32>(size, size, new Rgba32(0, 0, 0, 255));
                // torchvision: top = round((height - size) / 2), left = round((width - size) / 2); negative pads.
                int top = (int)Math.Round((img.Height - size) / 2.0, MidpointRounding.ToEven), left = (int)Math.Round((img.Width - size) / 2.0, MidpointRounding.ToEven);
                output.Mutate(c => c.DrawImage(img, new Point(-left, -top), 1f));
                return ImageCodec.EncodeFastPng(output);
            }));
        var tensor = new TensorType(DataType.Float32, 3);
        r.Add(new ScalarFunction("image_to_tensor", "image_to_tensor(image [, 'chw' | 'hwc'] [, mean, std])",
            "The image's RGB pixels as a float32 TENSOR of rank 3 (its shape per row: 3 × height × width in 'chw', the default, or height × width × 3), scaled to 0–1 and, given per-channel mean and std lists, normalized as (x - mean) / std, as torchvision's ToTensor and Normalize do.",
            "SELECT image_to_tensor(CAST(NULL AS BLOB), 'chw', [0.485, 0.456, 0.406], [0.229, 0.224, 0.225])",
            t =>
            {
                static bool Text(DataType x) => x.StorageType is VariableBinaryType { IsUtf8: true };
                static bool Numbers(DataType x) => x.StorageType is ListType { ValueType.IsNumeric: true } or FixedSizeListType { ValueType.IsNumeric: true };
                if (t.Count == 0 || !IsBlob(t[0])) return null;
                bool layout = t.Count is 2 or 4 && Text(t[1]);
                int stats = layout ? 2 : 1;
                if (t.Count != stats && t.Count != stats + 2 || t.Count == stats + 2 && !(Numbers(t[stats]) && Numbers(t[stats + 1]))) return null;
                var numbers = DataType.List(DataType.Float64);
                DataType[] want = [t[0], .. layout ? new DataType[] { DataType.Utf8 } : [], .. t.Count == stats + 2 ? new DataType[] { numbers, numbers } : []];
                return new Resolution(tensor, RowMapped.Kernel(tensor, a =>
                {
                    if (a[0] is not byte[] bytes) return null;
                    bool hwc = layout && ((string)a[1]!).ToLowerInvariant() switch
                    {
                        "chw" => false,
                        "hwc" => true,
                        var other => throw new QueryLakeException("QL-BAD-ARGUMENT", $"image_to_tensor lays channels out as 'chw' or 'hwc', not '{other}'"),
                    };
                    var mean = a.Length > stats ? Channels(a[stats], "mean") : [0, 0, 0];
                    var std = a.Length > stats ? Channels(a[stats + 1], "std") : [1, 1, 1];
                    if (std.Any(x => x == 0)) throw new QueryLakeException("QL-BAD-ARGUMENT", "image_to_tensor's std values must not be 0");
                    var (w, h, rgba) = ImageCodec.Decode(bytes, RowMapped.Cancellation);
                    var data = new float[3 * w * h];
                    int plane = w * h;
                    for (int p = 0; p < plane; p++)
                        for (int c = 0; c < 3; c++)
                            data[hwc ? p * 3 + c : c * plane + p] = (float)((rgba[p * 4 + c] / 255.0 - mean[c]) / std[c]);
                    return new Dictionary<string, object?> { ["data"] = data, ["shape"] = hwc ? new[] { h, w, 3 } : new[] { 3, h, w } };
                }), want);
            }));
        r.Add(new ScalarFunction("image_encode", "image_encode(image, 'png' | 'jpeg' | 'webp' [, quality])",
            "The image re-encoded: PNG, JPEG at a quality of 1–100 (75 unless given) or WebP (lossy at a quality, lossless without one).",
            "SELECT image_encode(CAST(NULL AS BLOB), 'jpeg', 90)",
            t => t.Count is 2 or 3 && IsBlob(t[0]) && t[1].StorageType is VariableBinaryType { IsUtf8: true } && (t.Count == 2 || t[2].IsNumeric)
                ? new Resolution(new ImageType(), RowMapped.Kernel(new ImageType(), a =>
                {
                    if (a[0] is not byte[] bytes || a[1] is not string format) return null;
                    int? quality = a.Length > 2 && a[2] is { } q ? (int)Math.Clamp(System.Convert.ToInt64(q, CultureInfo.InvariantCulture), 1, 100) : null;
                    using var img = ImageCodec.Load(bytes, RowMapped.Cancellation);
                    return ImageCodec.Encode(img, format, quality);
                }), t.Count == 2 ? [t[0], DataType.Utf8] : [t[0], DataType.Utf8, DataType.Int64])
                : null));
    }

    /// <summary>Three per-channel numbers (red, green, blue), from a mean or std list.</summary>
    private static double[] Channels(object? list, string what) =>
        list is object?[] { Length: 3 } items && items.All(x => x is not null)
            ? items.Select(x => System.Convert.ToDouble(x, CultureInfo.InvariantCulture)).ToArray()
            : throw new QueryLakeException("QL-BAD-ARGUMENT", $"image_to_tensor's {what} is a list of 3 numbers (red, green, blue)");

    private static bool IsBlob(DataType t) => t.StorageType is VariableBinaryType { IsUtf8: false } || t is NullType;

    /// <summary>A transform of one image and numeric arguments (and one optional text argument), NULL in, NULL out.</summary>
    private static ScalarFunction Function(string name, string signature, string description, string example, DataType[] numbers, DataType result,
        Func<Image<Rgba32>, object?[], object?> transform, DataType? optional = null) =>
        new(name, signature, description, example, t =>
        {
            bool withOptional = optional is not null && t.Count == numbers.Length + 2;
            if (t.Count != numbers.Length + 1 && !withOptional || !IsBlob(t[0])) return null;
            if (!t.Skip(1).Take(numbers.Length).All(x => x.IsNumeric || x is NullType)) return null;
            if (withOptional && t[^1].StorageType is not VariableBinaryType { IsUtf8: true }) return null;
            DataType[] want = [t[0], .. numbers, .. withOptional ? new[] { optional! } : []];
            return new Resolution(result, RowMapped.Kernel(result, a =>
            {
                if (a[0] is not byte[] bytes) return null;
                using var img = ImageCodec.Load(bytes, RowMapped.Cancellation);
                return transform(img, a[1..]);
            }), want);
        });

    private static int Size(object? v, string what)
    {
        long n = System.Convert.ToInt64(v, CultureInfo.InvariantCulture);
        return n is >= 1 and <= 16384 ? (int)n : throw new QueryLakeException("QL-BAD-ARGUMENT", $"the {what} must be 1 to 16384 pixels, not {n}");
    }

    private static int Offset(object? v, string what)
    {
        long n = System.Convert.ToInt64(v, CultureInfo.InvariantCulture);
        return n is >= 0 and <= 16384 ? (int)n : throw new QueryLakeException("QL-BAD-ARGUMENT", $"{what} must be 0 to 16384, not {n}");
    }

    private static IResampler Sampler(string name) => name.ToLowerInvariant() switch
    {
        "bilinear" => KnownResamplers.Triangle,
        "bicubic" => KnownResamplers.Bicubic,
        "nearest" => KnownResamplers.NearestNeighbor,
        _ => throw new QueryLakeException("QL-BAD-ARGUMENT", $"image_resize resamples 'bilinear', 'bicubic' or 'nearest', not '{name}'"),
    };
}
