using System.Numerics.Tensors;
using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Memory;
using QueryLake.Columnar.Types;
using QueryLake.Errors;

namespace QueryLake.Functions.Scalar;

/// <summary>Embedding similarity: cosine, inner product and Euclidean (L2) distance between two float vectors of the
/// same dimension (EMBEDDING(d) columns, FLOAT[d] arrays, float[] parameters, or a scalar subquery such as another
/// sample's embedding), with SIMD kernels (System.Numerics.Tensors). The second argument may also be a list of
/// vectors (several examples, e.g. <c>(SELECT list(embedding) FROM … WHERE id IN (…))</c>): the result is then the
/// closest match among them (the highest similarity, the smallest distance).</summary>
internal static class VectorFunctions
{
    public static void Register(FunctionRegistry r)
    {
        r.Add(Vector("cosine_similarity", "Cosine of the angle between two vectors, in [-1, 1].", "SELECT cosine_similarity(list(x), list(y)) FROM (VALUES (1.0, 2.0), (0.0, 0.0)) v(x, y)",
            (a, b) => TensorPrimitives.CosineSimilarity(a, b), higherIsCloser: true));
        r.Add(Vector("cosine_distance", "1 − cosine_similarity(a, b).", "SELECT cosine_distance(list(x), list(y)) FROM (VALUES (1.0, 2.0), (0.0, 0.0)) v(x, y)",
            (a, b) => 1 - TensorPrimitives.CosineSimilarity(a, b)));
        r.Add(Vector("inner_product", "The dot product of two vectors.", "SELECT inner_product(list(x), list(y)) FROM (VALUES (1.0, 2.0), (0.0, 0.0)) v(x, y) → 2.0",
            (a, b) => TensorPrimitives.Dot(a, b), higherIsCloser: true));
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

    private static ScalarFunction Vector(string name, string description, string example, Func<ReadOnlySpan<float>, ReadOnlySpan<float>, float> f, bool higherIsCloser = false) =>
        new(name, $"{name}(a, b)", description + " With a list of vectors as b: the " + (higherIsCloser ? "highest" : "smallest") + " over them.", example, t =>
        {
            if (t.Count != 2 || Dimension(t[0]) is not { } da) return null;
            bool several = t[1].StorageType is ListType { ValueType: var probe } && Dimension(probe) is not null;
            if ((several ? Dimension(((ListType)t[1].StorageType).ValueType) : Dimension(t[1])) is not { } db) return null;
            if (da > 0 && db > 0 && da != db)
                throw new QueryLakeException("QL-TYPE-MISMATCH", $"{name}() needs vectors of one dimension, not {da} and {db}");
            return new Resolution(DataType.Float64, several
                ? (args, n) => Best(name, args[0], (ListArray)args[1], n, f, higherIsCloser)
                : (args, n) => Kernel(name, args[0], args[1], n, f));
        });

    /// <summary>Each row's vector against each vector of its list of probes, keeping the closest.</summary>
    private static ArrowArray Best(string name, ArrowArray a, ListArray probes, int n, Func<ReadOnlySpan<float>, ReadOnlySpan<float>, float> f, bool higherIsCloser)
    {
        var values = new double?[n];
        float[] sa = new float[64], sb = new float[64];
        for (int i = 0; i < n; i++)
        {
            var x = Row(a, i, sa, out bool nx);
            if (nx || probes.IsNull(i)) continue;
            double? best = null;
            for (int p = probes.GetValueOffset(i), end = p + probes.GetValueLength(i); p < end; p++)
            {
                var y = Row(probes.Values, p, sb, out bool ny);
                if (ny) continue;
                if (x.Length != y.Length) throw new QueryLakeException("QL-TYPE-MISMATCH", $"{name}() needs vectors of one dimension, not {x.Length} and {y.Length} (row {i})");
                double v = f(x, y);
                if (best is null || (higherIsCloser ? v > best : v < best)) best = v;
            }
            values[i] = best;
        }
        return Columnar.Builders.ArrayBuilder.Build(DataType.Float64, values.Cast<object?>().ToArray());
    }

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
