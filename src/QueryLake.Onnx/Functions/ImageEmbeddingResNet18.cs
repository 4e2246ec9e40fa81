using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Execution;
using QueryLake.Functions;
using QueryLake.Onnx.Models;

namespace QueryLake.Onnx.Functions;

/// <summary><c>image_embedding_resnet18(image)</c>: the 512 ResNet18 features of each image, scored a run of rows at
/// a time (decoding and resizing in parallel, then one model run for the run's images).</summary>
internal static class ImageEmbeddingResNet18
{
    public static ScalarFunction Function { get; } = new("image_embedding_resnet18", "image_embedding_resnet18(image)",
        "The image's 512-dimensional EMBEDDING from ResNet18 (the ONNX model ML.NET ships, ImageNet-trained; the global average pool's features): the image is scaled to cover 224 × 224 and cropped at the centre, then scored in batches with ONNX Runtime on `SET threads` threads. Similar photographs have high cosine_similarity. Needs the QueryLake.Onnx package.",
        "SELECT image_embedding_resnet18(CAST(NULL AS BLOB))",
        t => t.Count == 1 && (t[0].StorageType is VariableBinaryType { IsUtf8: false } || t[0] is NullType)
            ? new Resolution(new EmbeddingType(ResNet18.Dimension), Kernel, [t[0] is NullType ? DataType.Binary : t[0]])
            : null);

    private static ArrowArray Kernel(IReadOnlyList<ArrowArray> args, int length)
    {
        var images = args[0];
        var output = new float[length][];
        var rows = Enumerable.Range(0, length).Where(i => !images.IsNull(i)).ToArray();
        if (rows.Length > 0)
        {
            int threads = KernelContext.Threads;
            var cancel = KernelContext.Cancel;
            var (preprocess, net) = ResNet18.Models(threads);
            const int size = 3 * ResNet18.Size * ResNet18.Size;
            foreach (var run in rows.Chunk(KernelContext.RowsPerRun))
            {
                // The run's input and the preprocessed copy of it are held until the run is scored.
                RowMemory.Charge(2L * run.Length * size * sizeof(float), $"a run of {run.Length} images for ResNet18");
                var input = new float[run.Length * size];
                KernelContext.ForEach(run.Length, threads, cancel, k =>
                {
                    long mark = RowMemory.Held;
                    try { ResNet18.Pixels((byte[])images.GetValue(run[k])!, input.AsSpan(k * size, size), cancel); }
                    finally { RowMemory.ReleaseTo(mark); }
                });
                var (prepared, shape) = preprocess.RunRows(input, run.Length, ResNet18.InputShape, cancel);
                var (features, _) = net.RunRows(prepared, run.Length, shape, cancel);
                for (int k = 0; k < run.Length; k++) output[run[k]] = features.AsSpan(k * ResNet18.Dimension, ResNet18.Dimension).ToArray();
                RowMemory.Release();
            }
        }
        var builder = ArrayBuilder.Create(new EmbeddingType(ResNet18.Dimension));
        foreach (var vector in output) builder.Append(vector);
        return builder.Build();
    }
}
