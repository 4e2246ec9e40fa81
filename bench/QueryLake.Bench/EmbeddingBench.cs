using Microsoft.ML.OnnxRuntime;
using QueryLake.Onnx.Models;
using QueryLake.Sessions;

namespace QueryLake.Bench;

/// <summary>
/// image_embedding_resnet18 (QueryLake.Onnx) on demo PNGs and the @stdlib photographs: images/s through SQL, where a
/// record batch is scored in runs of 32 images; against ONNX Runtime called directly one image per run on the models
/// as shipped (batch 1, the unbatched way); and the model alone on a ready batch. Set next to the CPU's float32
/// multiply-add peak measured in the same run (ResNet18 at 224 × 224 is 1.82 G multiply-adds, 3.64 GFLOP, an image).
/// </summary>
internal static class EmbeddingBench
{
    private const double FlopsPerImage = 3.64e9;

    public static void Run(string[] args)
    {
        int repeat = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 3;
        int count = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 128;
        int threads = Environment.ProcessorCount;
        Console.WriteLine($"CPU: {Limits.CpuModel()}, {threads} cores; ONNX Runtime 1.31.1 (CPU provider), ResNet18 from Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1");
        double peak = Limits.FmaFlopsPerSecond(threads);
        Console.WriteLine($"float32 multiply-add peak ({threads} threads, {System.Numerics.Vector<float>.Count}-wide): {peak / 1e9:F0} GFLOP/s = {peak / FlopsPerImage:F1} ResNet18 images/s at best");

        var images = ImageBench.DemoPngs(count);

        using var session = QueryLakeSession.Open();
        session.Execute("CREATE DATASET frames (image BLOB)");
        var p = images.Select((b, i) => ($"b{i}", (object?)b)).ToDictionary(x => x.Item1, x => x.Item2);
        session.Execute("INSERT INTO frames VALUES " + string.Join(", ", images.Select((_, i) => $"(@b{i})")), p);
        const string sql = "SELECT count(image_embedding_resnet18(image)) FROM frames";
        session.Query(sql).Rows().ToList(); // loads the models
        Report($"SQL, batched (runs of 32), {count} demo PNGs", count, Measure.MedianSeconds(repeat, () => session.Query(sql).Rows().ToList()), peak);

        var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var preprocess = new InferenceSession(ResNet18.PreprocessPath, options);
        using var net = new InferenceSession(ResNet18.ModelPath, options);
        double direct = Measure.MedianSeconds(repeat, () =>
        {
            var input = new float[3 * 224 * 224];
            foreach (var image in images)
            {
                ResNet18.Pixels(image, input, CancellationToken.None);
                using var value = OrtValue.CreateTensorValueFromMemory(input, [1, 3, 224, 224]);
                using var prepared = preprocess.Run(new RunOptions(), ["OriginalInput"], [value], ["PreprocessedInput"]);
                using var features = net.Run(new RunOptions(), ["Input247"], [prepared[0]], ["Pooling395_Output_0"]);
            }
        });
        Report($"ONNX Runtime directly, one image per run (unbatched), {count} demo PNGs", count, direct, peak);

        var model = ModelCache.Get(ResNet18.ModelPath, threads);
        var batch = new float[32 * 3 * 224 * 224];
        for (int i = 0; i < batch.Length; i++) batch[i] = (i * 7919 % 255) - 120f;
        double alone = Measure.MedianSeconds(repeat, () => model.RunRows(batch, 32, ResNet18.InputShape, CancellationToken.None));
        Report("the ResNet18 model alone, a run of 32 ready inputs", 32, alone, peak);
        var single = batch.AsSpan(0, 3 * 224 * 224).ToArray();
        double one = Measure.MedianSeconds(repeat, () => { for (int i = 0; i < 32; i++) model.Run(single, 1, ResNet18.InputShape, CancellationToken.None); });
        Report("the ResNet18 model alone, 32 runs of one input", 32, one, peak);
    }

    private static void Report(string what, int images, double seconds, double peak) =>
        Console.WriteLine($"  {what}: {seconds * 1000:F0} ms, {images / seconds:F1} images/s, {images * FlopsPerImage / seconds / 1e9:F0} GFLOP/s ({images * FlopsPerImage / seconds / peak * 100:F0}% of the multiply-add peak)");
}
