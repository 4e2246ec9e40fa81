using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Builders;
using QueryLake.Columnar.Types;
using QueryLake.Errors;
using QueryLake.Execution;
using QueryLake.Functions;
using QueryLake.Onnx.Models;

namespace QueryLake.Onnx.Functions;

/// <summary>
/// <c>onnx_embed('model.onnx', input [, options])</c>: runs a user's ONNX model on each row's numbers (a TENSOR from
/// image_to_tensor, an EMBEDDING, a LIST of numbers) and returns its output per row as an EMBEDDING (the default) or
/// a TENSOR. The model is read when the query is bound, since its output decides the result type: so the path and the
/// options are constants. Options: <c>{'output': 'name'}</c> picks an output (the first by default),
/// <c>{'as': 'tensor'}</c> keeps the output's shape.
/// </summary>
internal static class OnnxEmbed
{
    public static ScalarFunction Function { get; } = new("onnx_embed", "onnx_embed('model.onnx', input [, {'output': name, 'as': 'embedding' | 'tensor'}])",
        "Runs an ONNX model (one input, its first dimension the batch) on each row's numbers: a TENSOR such as image_to_tensor gives, an EMBEDDING or a LIST of numbers, reshaped to the model's input where the element counts agree. Returns the output (the first, or the one named) as an EMBEDDING of its flattened values, or with 'as': 'tensor' as a float TENSOR of its shape. Rows are scored in batches with ONNX Runtime on `SET threads` threads; the model loads once per process (again when the file changes). Needs the QueryLake.Onnx package.",
        "SELECT onnx_embed('models/resnet18/ResNet18.onnx', image_to_tensor(image_resize(CAST(NULL AS BLOB), 224, 224)))",
        _ => null)
    {
        ResolveWithConstants = Resolve,
    };

    private sealed record Options(string? Output, bool AsTensor);

    private static Resolution? Resolve(IReadOnlyList<DataType> types, IReadOnlyList<Constant?> constants)
    {
        if (types.Count is not (2 or 3) || types[0].StorageType is not VariableBinaryType { IsUtf8: true } && types[0] is not NullType) return null;
        if (!TensorRows.Accepts(types[1]) && types[1] is not NullType) return null;
        if (constants[0] is not { Value: string path })
            throw new QueryLakeException("QL-BAD-ARGUMENT", "onnx_embed's model path must be a constant string (the model decides the result type when the query is bound)");
        var options = types.Count == 3 ? ReadOptions(constants[2]) : new Options(null, false);
        var model = ModelCache.Get(path, threads: null, options.Output);
        if (TensorRows.FixedShape(types[1]) is { } given && model.InputShape.All(d => d >= 0)
            && Count(given) != Count(model.InputShape))
            throw new QueryLakeException("QL-MODEL-INPUT",
                $"the ONNX model '{path}' takes rows of shape {OnnxModel.Shape(model.InputShape)} ({Count(model.InputShape)} numbers); the input's rows have shape {OnnxModel.Shape(given)} ({Count(given)} numbers)");
        var result = ResultType(model, options, path);
        var want = types.Select(t => t is NullType ? DataType.Utf8 : t).ToList();
        if (types[1] is NullType) want[1] = DataType.List(DataType.Float32);
        return new Resolution(result, (args, length) => Kernel(args, length, path, options, result), want);
    }

    private static Options ReadOptions(Constant? options)
    {
        if (options is not { Value: IReadOnlyDictionary<string, object?> entries })
            throw new QueryLakeException("QL-BAD-ARGUMENT", "onnx_embed's options are a constant STRUCT such as {'output': 'features', 'as': 'tensor'}");
        string? output = null;
        bool tensor = false;
        foreach (var (key, value) in entries)
            switch (key.ToLowerInvariant())
            {
                case "output": output = value as string ?? throw new QueryLakeException("QL-BAD-ARGUMENT", "onnx_embed's 'output' option names an output of the model (a string)"); break;
                case "as":
                    tensor = (value as string)?.ToLowerInvariant() switch
                    {
                        "embedding" => false,
                        "tensor" => true,
                        _ => throw new QueryLakeException("QL-BAD-ARGUMENT", $"onnx_embed returns 'as' 'embedding' or 'tensor', not {ValueText(value)}"),
                    };
                    break;
                default: throw new QueryLakeException("QL-BAD-ARGUMENT", $"onnx_embed has no option '{key}'; its options are 'output' and 'as'");
            }
        return new Options(output, tensor);
    }

    private static string ValueText(object? v) => v is string s ? $"'{s}'" : v?.ToString() ?? "NULL";

    private static DataType ResultType(OnnxModel model, Options options, string path)
    {
        var shape = model.OutputShape;
        bool known = shape.All(d => d >= 0);
        if (options.AsTensor) return known ? new TensorType(DataType.Float32, shape) : new TensorType(DataType.Float32, shape.Length);
        if (!known)
            throw new QueryLakeException("QL-MODEL-OUTPUT",
                $"the ONNX model '{path}' gives output '{model.OutputName}' of shape {OnnxModel.Shape(shape)}, whose size is not fixed: an EMBEDDING needs one; ask for {{'as': 'tensor'}}");
        int size = Count(shape);
        if (size < 1) throw new QueryLakeException("QL-MODEL-OUTPUT", $"the ONNX model '{path}' gives output '{model.OutputName}' of shape {OnnxModel.Shape(shape)}, which holds no numbers");
        return new EmbeddingType(size);
    }

    private static int Count(IEnumerable<int> shape) => shape.Aggregate(1, (a, b) => checked(a * b));

    private static ArrowArray Kernel(IReadOnlyList<ArrowArray> args, int length, string path, Options options, DataType result)
    {
        var output = new object?[length];
        var rows = new TensorRows(args[1]);
        int threads = KernelContext.Threads;
        var cancel = KernelContext.Cancel;
        OnnxModel? model = null;
        var run = new List<int>(KernelContext.RowsPerRun);
        int[]? runShape = null;
        for (int i = 0; i <= length; i++)
        {
            int[]? shape = null;
            if (i < length && (args[0].IsNull(i) || rows.IsNull(i))) continue;
            if (i < length)
            {
                model ??= ModelCache.Get(path, threads, options.Output);
                shape = Fit(model, rows.Shape(i), path, i);
            }
            // A run ends at the batch's end, when it is full, when the row's shape differs, or for a model that takes one row.
            if (run.Count > 0 && (shape is null || run.Count == KernelContext.RowsPerRun || !shape.SequenceEqual(runShape!)))
            {
                Score(model!, rows, run, runShape!, output, result, cancel);
                run.Clear();
            }
            if (shape is null) continue;
            run.Add(i);
            runShape = shape;
        }
        var builder = ArrayBuilder.Create(result);
        foreach (var value in output) builder.Append(value);
        return builder.Build();
    }

    /// <summary>The shape the row is fed in: the model's, where the row's numbers are as many (a flat list into an
    /// image model); the row's own where the model's has free dimensions that the row's fill.</summary>
    private static int[] Fit(OnnxModel model, int[] shape, string path, int row)
    {
        var want = model.InputShape;
        if (want.All(d => d >= 0))
            return Count(want) == Count(shape) ? want
                : throw new QueryLakeException("QL-MODEL-INPUT",
                    $"row {row + 1}: the ONNX model '{path}' takes rows of shape {OnnxModel.Shape(want)} ({Count(want)} numbers), not {OnnxModel.Shape(shape)}");
        if (shape.Length == want.Length && want.Zip(shape).All(p => p.First < 0 || p.First == p.Second)) return shape;
        throw new QueryLakeException("QL-MODEL-INPUT",
            $"row {row + 1}: the ONNX model '{path}' takes rows of shape {OnnxModel.Shape(want)}, not {OnnxModel.Shape(shape)}");
    }

    private static void Score(OnnxModel model, TensorRows rows, List<int> run, int[] shape, object?[] output, DataType result, CancellationToken cancel)
    {
        int size = Count(shape);
        RowMemory.Charge((long)run.Count * size * sizeof(float), $"a run of {run.Count} rows for the ONNX model '{model.Path}'");
        var input = new float[run.Count * size];
        for (int k = 0; k < run.Count; k++) rows.CopyTo(run[k], input.AsSpan(k * size, size));
        float[] values;
        int[] outShape;
        try { (values, outShape) = model.RunRows(input, run.Count, shape, cancel); }
        finally { RowMemory.Release(); }
        int per = values.Length / run.Count;
        for (int k = 0; k < run.Count; k++)
        {
            var row = values.AsSpan(k * per, per).ToArray();
            output[run[k]] = result switch
            {
                EmbeddingType e when e.Dimension != per => throw new QueryLakeException("QL-MODEL-OUTPUT",
                    $"the ONNX model '{model.Path}' gave {per} numbers per row, where its declared output holds {e.Dimension}"),
                TensorType { Shape: null } => new Dictionary<string, object?> { ["data"] = row, ["shape"] = outShape },
                _ => row,
            };
        }
    }
}
