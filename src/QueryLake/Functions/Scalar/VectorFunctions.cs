using System.Numerics.Tensors;
using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Memory;
using QueryLake.Columnar.Types;
using QueryLake.Errors;

namespace QueryLake.Functions.Scalar;

/// <summary>Embedding similarity: cosine, inner product and Euclidean (L2) distance between two float vectors of the
/// same dimension (EMBEDDING(d) columns, FLOAT[d] arrays, float[] parameters, or a scalar subquery such as another
/// sample's embedding), with SIMD kernels (System.Numerics.Tensors).</summary>
internal static class VectorFunctions
{
    public static void Register(FunctionRegistry r)
    {
        r.Add(Vector("cosine_similarity", "Cosine of the angle between two vectors, in [-1, 1].", "SELECT cosine_similarity(list(x), list(y)) FROM (VALUES (1.0, 2.0), (0.0, 0.0)) v(x, y)",
            (a, b) => TensorPrimitives.CosineSimilarity(a, b)));
        r.Add(Vector("cosine_distance", "1 − cosine_similarity(a, b).", "SELECT cosine_distance(list(x), list(y)) FROM (VALUES (1.0, 2.0), (0.0, 0.0)) v(x, y)",
            (a, b) => 1 - TensorPrimitives.CosineSimilarity(a, b)));
        r.Add(Vector("inner_product", "The dot product of two vectors.", "SELECT inner_product(list(x), list(y)) FROM (VALUES (1.0, 2.0), (0.0, 0.0)) v(x, y) → 2.0",
            (a, b) => TensorPrimitives.Dot(a, b)));
        r.Add(Vector("inner_product_distance", "The negated dot product (smaller is closer).", "SELECT inner_product_distance(list(x), list(y)) FROM (VALUES (1.0, 2.0), (0.0, 0.0)) v(x, y) → -2.0",
            (a, b) => -TensorPrimitives.Dot(a, b)));
        r.Add(Vector("l2_distance", "Euclidean distance between two vectors.", "SELECT l2_distance(list(x), list(y)) FROM (VALUES (1.0, 2.0), (0.0, 0.0)) v(x, y) → 1.0",
            (a, b) => TensorPrimitives.Distance(a, b)));
    }

    private static int? Dimension(DataType t) => t.StorageType switch
    {
        FixedSizeListType { ValueType.Id: TypeId.Float32 or TypeId.Float64 } f => f.ListSize,
        ListType { ValueType.Id: TypeId.Float32 or TypeId.Float64 or TypeId.Int64 } => -1,
        _ => null,
    };

    private static ScalarFunction Vector(string name, string description, string example, Func<ReadOnlySpan<float>, ReadOnlySpan<float>, float> f) =>
        new(name, $"{name}(a, b)", description, example, t =>
        {
            if (t.Count != 2 || Dimension(t[0]) is not { } da || Dimension(t[1]) is not { } db) return null;
            if (da > 0 && db > 0 && da != db)
                throw new QueryLakeException("QL-TYPE-MISMATCH", $"{name}() needs vectors of one dimension, not {da} and {db}");
            return new Resolution(DataType.Float64, (args, n) => Kernel(name, args[0], args[1], n, f));
        });

    /// <summary>Row i's vector as float32 (copied only when the storage is not float32).</summary>
    private static ReadOnlySpan<float> Row(ArrowArray a, int i, float[] scratch, out bool isNull)
    {
        isNull = a.IsNull(i);
        if (isNull) return default;
        switch (a)
        {
            case FixedSizeListArray { Values: PrimitiveArray<float> } f: return f.GetFloats(i);
            case FixedSizeListArray f: return Copy(f.GetSlice(i), scratch);
            case ListArray l: return Copy(l.GetSlice(i), scratch);
            default: throw new QueryLakeException("QL-TYPE-MISMATCH", $"{a.Type} is not a vector");
        }
    }

    private static ReadOnlySpan<float> Copy(ArrowArray values, float[] scratch)
    {
        var buffer = values.Length <= scratch.Length ? scratch : new float[values.Length];
        for (int k = 0; k < values.Length; k++)
            buffer[k] = values.GetValue(k) is { } v ? Convert.ToSingle(v, System.Globalization.CultureInfo.InvariantCulture) : float.NaN;
        return buffer.AsSpan(0, values.Length);
    }

    private static ArrowArray Kernel(string name, ArrowArray a, ArrowArray b, int n, Func<ReadOnlySpan<float>, ReadOnlySpan<float>, float> f)
    {
        var output = AlignedMemory.Allocate(n * 8, clear: false);
        var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(output.Span);
        var validity = new byte[BitUtil.BytesFor(n)];
        int nulls = 0;
        float[] sa = new float[64], sb = new float[64];
        for (int i = 0; i < n; i++)
        {
            var x = Row(a, i, sa, out bool nx);
            var y = Row(b, i, sb, out bool ny);
            if (nx || ny) { nulls++; values[i] = 0; continue; }
            if (x.Length != y.Length) throw new QueryLakeException("QL-TYPE-MISMATCH", $"{name}() needs vectors of one dimension, not {x.Length} and {y.Length} (row {i})");
            values[i] = f(x, y);
            BitUtil.SetBit(validity, i, true);
        }
        return ArrowArray.FromData(new ArrayData(DataType.Float64, n, 0, nulls, [nulls == 0 ? ArrowBuffer.Empty : ArrowBuffer.Copy(validity), new ArrowBuffer(output)]));
    }
}
