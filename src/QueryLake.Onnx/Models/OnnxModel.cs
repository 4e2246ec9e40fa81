using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using QueryLake.Errors;

namespace QueryLake.Onnx.Models;

/// <summary>
/// An ONNX model loaded into an ONNX Runtime session (CPU), with what QueryLake needs to feed it rows: its one input
/// and the output it reads, each with its per-row shape (the leading dimension is the batch; -1 marks a symbolic
/// dimension), and whether one run may score many rows. A model declared with a batch of exactly 1 (the ResNet18
/// model ML.NET ships) is rewritten to take any batch (<see cref="BatchDimension"/>) and used that way only when a
/// run of two rows gives the same outputs as two runs of one row.
/// </summary>
internal sealed class OnnxModel
{
    private readonly InferenceSession _session;

    public string Path { get; }
    public string InputName { get; }
    public TensorElementType InputType { get; }
    public int[] InputShape { get; }
    public string OutputName { get; }
    public int[] OutputShape { get; }
    public bool Batched { get; }

    private OnnxModel(string path, InferenceSession session, string input, string output, bool batched)
    {
        Path = path;
        _session = session;
        InputName = input;
        OutputName = output;
        var inMeta = session.InputMetadata[input];
        var outMeta = session.OutputMetadata[output];
        InputType = inMeta.ElementDataType;
        InputShape = inMeta.Dimensions[1..];
        OutputShape = outMeta.Dimensions.Length > 0 ? outMeta.Dimensions[1..] : [];
        Batched = batched;
    }

    /// <summary>Loads a model file with <paramref name="threads"/> threads per run; <paramref name="output"/> names the
    /// output to read (null: the first).</summary>
    public static OnnxModel Load(string path, int threads, string? output = null)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new QueryLakeException("QL-MODEL-MISSING", $"cannot read the ONNX model '{path}': {ErrorText.Describe(e)}");
        }
        var original = Session(bytes, path, threads);
        if (original.InputMetadata.Count != 1)
            throw new QueryLakeException("QL-MODEL-INPUT",
                $"the ONNX model '{path}' takes {original.InputMetadata.Count} inputs ({string.Join(", ", original.InputMetadata.Keys)}); onnx_embed feeds models with one input");
        var input = original.InputMetadata.Keys.First();
        var meta = original.InputMetadata[input];
        if (!meta.IsTensor || meta.Dimensions.Length == 0 || meta.Dimensions[0] is not (1 or -1))
            throw new QueryLakeException("QL-MODEL-INPUT",
                $"the ONNX model '{path}' takes input '{input}' of shape {Shape(meta.Dimensions)}; QueryLake feeds models whose first input dimension is the batch (1 or symbolic)");
        if (meta.ElementDataType is not (TensorElementType.Float or TensorElementType.Double or TensorElementType.Int64 or TensorElementType.Int32))
            throw new QueryLakeException("QL-MODEL-INPUT",
                $"the ONNX model '{path}' takes input '{input}' of element type {meta.ElementDataType}; QueryLake feeds float, double, int32 and int64 inputs");
        output ??= original.OutputMetadata.Keys.First();
        if (!original.OutputMetadata.TryGetValue(output, out var outMeta))
            throw new QueryLakeException("QL-MODEL-OUTPUT",
                $"the ONNX model '{path}' has no output '{output}'; its outputs are {string.Join(", ", original.OutputMetadata.Keys)}");
        if (!outMeta.IsTensor || outMeta.ElementDataType is not (TensorElementType.Float or TensorElementType.Double))
            throw new QueryLakeException("QL-MODEL-OUTPUT",
                $"the ONNX model '{path}' gives output '{output}' of element type {outMeta.ElementDataType}; QueryLake reads float and double outputs");
        if (meta.Dimensions[0] == -1) return new OnnxModel(path, original, input, output, batched: true);
        // A batch of exactly 1: try the model with a symbolic batch, keep it only where it computes rows independently.
        var model = new OnnxModel(path, original, input, output, batched: false);
        if (BatchDimension.MakeSymbolic(bytes) is not { } symbolic || model.InputShape.Any(d => d < 0)) return model;
        InferenceSession rewritten;
        try { rewritten = Session(symbolic, path, threads); }
        catch (QueryLakeException) { return model; }
        var batched = new OnnxModel(path, rewritten, input, output, batched: true);
        if (!batched.AgreesWith(model)) { rewritten.Dispose(); return model; }
        original.Dispose();
        return batched;
    }

    private static InferenceSession Session(byte[] bytes, string path, int threads)
    {
        var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        try { return new InferenceSession(bytes, options); }
        catch (OnnxRuntimeException e)
        {
            throw new QueryLakeException("QL-MODEL-INVALID", $"'{path}' is not an ONNX model ONNX Runtime can load: {Reason(e)}");
        }
    }

    /// <summary>ONNX Runtime's own reason, without its status prefix ("[ErrorCode:InvalidProtobuf] ").</summary>
    private static string Reason(OnnxRuntimeException e)
    {
        var text = e.Message.Split('\n')[0].Trim();
        int close = text.StartsWith('[') ? text.IndexOf("] ", StringComparison.Ordinal) : -1;
        return close > 0 ? text[(close + 2)..] : text;
    }

    private bool AgreesWith(OnnxModel single)
    {
        int size = InputShape.Aggregate(1, (a, b) => a * b);
        var random = new Random(20261203);
        var data = new float[2 * size];
        for (int i = 0; i < data.Length; i++) data[i] = random.NextSingle();
        try
        {
            var (both, _) = Run(data, 2, InputShape, CancellationToken.None);
            var (first, _) = single.Run(data.AsMemory(0, size).ToArray(), 1, InputShape, CancellationToken.None);
            var (second, _) = single.Run(data.AsMemory(size, size).ToArray(), 1, InputShape, CancellationToken.None);
            if (both.Length != first.Length + second.Length) return false;
            for (int i = 0; i < both.Length; i++)
            {
                float expected = i < first.Length ? first[i] : second[i - first.Length];
                if (!(Math.Abs(both[i] - expected) <= 1e-4f * (1 + Math.Abs(expected)))) return false;
            }
            return true;
        }
        catch (QueryLakeException) { return false; }
    }

    /// <summary>Runs the model on <paramref name="rows"/> rows of <paramref name="rowShape"/> laid end to end in
    /// <paramref name="input"/>; the outputs of all rows end to end, and the per-row output shape.</summary>
    public (float[] Output, int[] RowShape) Run(float[] input, int rows, int[] rowShape, CancellationToken cancel)
    {
        long[] shape = [rows, .. rowShape.Select(d => (long)d)];
        using var run = new RunOptions();
        using var stop = cancel.Register(() => run.Terminate = true);
        using var value = InputValue(input, shape);
        try
        {
            using var results = _session.Run(run, [InputName], [value], [OutputName]);
            var result = results[0];
            var outShape = result.GetTensorTypeAndShape().Shape;
            float[] output = result.GetTensorTypeAndShape().ElementDataType == TensorElementType.Double
                ? result.GetTensorDataAsSpan<double>().ToArray().Select(d => (float)d).ToArray()
                : result.GetTensorDataAsSpan<float>().ToArray();
            return (output, outShape.Length > 0 ? outShape[1..].Select(d => checked((int)d)).ToArray() : []);
        }
        catch (OnnxRuntimeException e)
        {
            cancel.ThrowIfCancellationRequested();
            throw new QueryLakeException("QL-MODEL-RUN", $"the ONNX model '{Path}' failed on input of shape {Shape(shape)}: {Reason(e)}");
        }
    }

    /// <summary>Like <see cref="Run"/>, one run for all rows where the model is <see cref="Batched"/>, else a run per row.</summary>
    public (float[] Output, int[] RowShape) RunRows(float[] input, int rows, int[] rowShape, CancellationToken cancel)
    {
        if (Batched || rows == 1) return Run(input, rows, rowShape, cancel);
        int size = input.Length / rows;
        float[]? output = null;
        int[] shape = [];
        for (int r = 0; r < rows; r++)
        {
            var (one, oneShape) = Run(input.AsSpan(r * size, size).ToArray(), 1, rowShape, cancel);
            output ??= new float[one.Length * rows];
            one.CopyTo(output, r * one.Length);
            shape = oneShape;
        }
        return (output!, shape);
    }

    private OrtValue InputValue(float[] input, long[] shape) => InputType switch
    {
        TensorElementType.Double => OrtValue.CreateTensorValueFromMemory(input.Select(x => (double)x).ToArray(), shape),
        TensorElementType.Int64 => OrtValue.CreateTensorValueFromMemory(input.Select(x => (long)x).ToArray(), shape),
        TensorElementType.Int32 => OrtValue.CreateTensorValueFromMemory(input.Select(x => (int)x).ToArray(), shape),
        _ => OrtValue.CreateTensorValueFromMemory(input, shape),
    };

    public static string Shape(IEnumerable<long> dims) => "[" + string.Join(", ", dims.Select(d => d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]";
    public static string Shape(IEnumerable<int> dims) => Shape(dims.Select(d => (long)d));
}
