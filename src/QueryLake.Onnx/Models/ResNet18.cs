using QueryLake.Errors;
using QueryLake.Formats.Images;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace QueryLake.Onnx.Models;

/// <summary>
/// The ResNet18 image featurizer ML.NET ships (Microsoft.ML.DnnImageFeaturizer.ResNet18: ResNet18.onnx, 512 features
/// from the global average pool, and ResNetPreprocess.onnx, which subtracts the ImageNet mean image), fed as ML.NET's
/// pipeline feeds it: the image scaled to cover 224 × 224 and cropped at the centre (ML.NET's IsoCrop), its red,
/// green and blue planes as 0–255 floats.
/// </summary>
internal static class ResNet18
{
    public const int Size = 224;
    public const int Dimension = 512;
    public static readonly int[] InputShape = [3, Size, Size];

    /// <summary>The folder of the model files: models/resnet18 beside this assembly (where the package puts them).</summary>
    public static string Folder
    {
        get
        {
            var beside = Path.GetDirectoryName(typeof(ResNet18).Assembly.Location);
            foreach (var root in new[] { beside, AppContext.BaseDirectory })
                if (!string.IsNullOrEmpty(root) && File.Exists(Path.Combine(root, "models", "resnet18", "ResNet18.onnx")))
                    return Path.Combine(root, "models", "resnet18");
            return Path.Combine(beside ?? AppContext.BaseDirectory, "models", "resnet18");
        }
    }

    public static string ModelPath => Path.Combine(Folder, "ResNet18.onnx");
    public static string PreprocessPath => Path.Combine(Folder, "ResNetPreprocess.onnx");

    /// <summary>Writes the image's 3 × 224 × 224 input (red, green, blue planes, 0–255) into <paramref name="chw"/>.</summary>
    public static void Pixels(byte[] image, Span<float> chw, CancellationToken cancel)
    {
        using var img = ImageCodec.Load(image, cancel);
        img.Mutate(x => x.Resize(new ResizeOptions { Size = new Size(Size, Size), Mode = ResizeMode.Crop, Sampler = KnownResamplers.Bicubic }));
        const int plane = Size * Size;
        var rgba = new Rgba32[plane];
        img.CopyPixelDataTo(rgba);
        for (int i = 0; i < plane; i++)
        {
            chw[i] = rgba[i].R;
            chw[plane + i] = rgba[i].G;
            chw[2 * plane + i] = rgba[i].B;
        }
    }

    /// <summary>The two models, loaded for <paramref name="threads"/> threads; a clear error when the files are not
    /// where the package puts them.</summary>
    public static (OnnxModel Preprocess, OnnxModel Net) Models(int threads)
    {
        if (!File.Exists(ModelPath))
            throw new QueryLakeException("QL-MODEL-MISSING",
                $"the ResNet18 model is not installed: {ModelPath} does not exist (QueryLake.Onnx copies models/resnet18/ResNet18.onnx into the application's output folder)");
        return (ModelCache.Get(PreprocessPath, threads), ModelCache.Get(ModelPath, threads));
    }
}
