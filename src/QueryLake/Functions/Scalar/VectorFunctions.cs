using System.Runtime.Intrinsics;
using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Memory;
using QueryLake.Columnar.Types;
using QueryLake.Errors;
using QueryLake.Kernels;

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
            Metric.Cosine, higherIsCloser: true));
        r.Add(Vector("cosine_distance", "1 − cosine_similarity(a, b).", "SELECT cosine_distance(list(x), list(y)) FROM (VALUES (1.0, 2.0), (0.0, 0.0)) v(x, y)",
            Metric.CosineDistance));
        r.Add(Vector("inner_product", "The dot product of two vectors.", "SELECT inner_product(list(x), list(y)) FROM (VALUES (1.0, 2.0), (0.0, 0.0)) v(x, y) → 2.0",
            Metric.Dot, higherIsCloser: true));
        r.Add(Vector("inner_product_distance", "The negated dot product (smaller is closer).", "SELECT inner_product_distance(list(x), list(y)) FROM (VALUES (1.0, 2.0), (0.0, 0.0)) v(x, y) → -2.0",
            Metric.DotDistance));
        r.Add(Vector("l2_distance", "Euclidean distance between two vectors.", "SELECT l2_distance(list(x), list(y)) FROM (VALUES (1.0, 2.0), (0.0, 0.0)) v(x, y) → 1.0",
            Metric.L2));
    }

    /// <summary>What a vector function computes (a switch, not a delegate: delegates over spans cost more than the
    /// arithmetic of a 128-d vector).</summary>
    private enum Metric { Cosine, CosineDistance, Dot, DotDistance, L2 }

    /// <summary>The metric between x and y; <paramref name="yNorm"/> is ‖y‖ when known (a probe's), else NaN.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static float Compute(Metric m, ReadOnlySpan<float> x, ReadOnlySpan<float> y, float yNorm = float.NaN)
    {
        switch (m)
        {
            case Metric.Cosine or Metric.CosineDistance:
                var (dot, xx) = VectorMath.DotAndNorm(x, y);
                if (float.IsNaN(yNorm)) yNorm = MathF.Sqrt(VectorMath.Dot(y, y));
                float cos = dot / (MathF.Sqrt(xx) * yNorm);
                return m == Metric.Cosine ? cos : 1 - cos;
            case Metric.Dot: return VectorMath.Dot(x, y);
            case Metric.DotDistance: return -VectorMath.Dot(x, y);
            default: return MathF.Sqrt(VectorMath.SquaredDistance(x, y));
        }
    }

    private static int? Dimension(DataType t) => t.StorageType switch
    {
        FixedSizeListType { ValueType.Id: TypeId.Float32 or TypeId.Float64 } f => f.ListSize,
        ListType { ValueType.Id: TypeId.Float32 or TypeId.Float64 or TypeId.Int64 } => -1,
        _ => null,
    };

    private static ScalarFunction Vector(string name, string description, string example, Metric f, bool higherIsCloser = false) =>
        new(name, $"{name}(a, b)", description + " With a list of vectors as b: the " + (higherIsCloser ? "highest" : "smallest") + " over them.", example, t =>
        {
            if (t.Count != 2 || Dimension(t[0]) is not { } da) return null;
            bool several = t[1].StorageType is ListType { ValueType: var probe } && Dimension(probe) is not null;
            if ((several ? Dimension(((ListType)t[1].StorageType).ValueType) : Dimension(t[1])) is not { } db) return null;
            if (da > 0 && db > 0 && da != db)
                throw new QueryLakeException("QL-TYPE-MISMATCH", $"{name}() needs vectors of one dimension, not {da} and {db}");
            return several
                ? new Resolution(DataType.Float64, (args, n) => Best(name, Vectors.Expand(args[0], n), (ListArray)Vectors.Expand(args[1], n), n, f, higherIsCloser))
                : new Resolution(DataType.Float64, (args, n) => Kernel(name, args[0], args[1], n, f))
                {
                    Selected = (args, rows) => Selected(name, args[0], args[1], rows, f),
                    Top = (IReadOnlyList<ArrowArray> args, int n, int[]? rows, int keep, bool descending, out int[]? candidates) =>
                        Top(args[0], args[1], rows?.Length ?? n, rows, keep, descending, f, out candidates),
                };
        }) { AcceptsConstants = true };

    /// <summary>The selected rows of a column against a constant probe, read in place; other shapes gather first.</summary>
    private static ArrowArray Selected(string name, ArrowArray a, ArrowArray b, int[] rows, Metric f)
    {
        if (ColumnAndProbe(ref a, ref b) is var (column, probe)) return Scan(column, probe, rows.Length, f, rows);
        var ga = a.Length == 1 ? a : Kernels.Gather.Rows(a, rows);
        var gb = b.Length == 1 ? b : Kernels.Gather.Rows(b, rows);
        return Kernel(name, ga, gb, rows.Length, f);
    }

    /// <summary>Each row's vector against each vector of its list of probes, keeping the closest.</summary>
    private static ArrowArray Best(string name, ArrowArray a, ListArray probes, int n, Metric f, bool higherIsCloser)
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
                double v = Compute(f, x, y);
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
            case ListArray { Values: PrimitiveArray<float> values } l: return values.Values.Slice(l.GetValueOffset(i), l.GetValueLength(i));
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

    /// <summary>The shape the vector kernels read in place: a float32 vector column and a constant (one-row, non-NULL)
    /// probe of its dimension, in either order (the constant ends up second); null for any other shape.</summary>
    private static (FixedSizeListArray Column, float[] Probe)? ColumnAndProbe(ref ArrowArray a, ref ArrowArray b)
    {
        if (a.Length == 1 && b.Length != 1) (a, b) = (b, a);
        if (b.Length != 1 || a is not FixedSizeListArray { Values: PrimitiveArray<float> } column) return null;
        var probe = Row(b, 0, new float[64], out bool probeNull).ToArray();
        return probeNull || column.ListSize != probe.Length ? null : (column, probe);
    }

    /// <summary>The hot path of a similarity search: a float32 vector column (an EMBEDDING) against one probe,
    /// reading the column's contiguous values in place, row ranges in parallel.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static ArrowArray Scan(FixedSizeListArray column, float[] probe, int n, Metric f, int[]? rows = null)
    {
        var floats = (PrimitiveArray<float>)column.Values;
        float probeNorm = MathF.Sqrt(VectorMath.Dot(probe, probe));
        int d = probe.Length, first = column.Data.Offset * d;
        var output = AlignedMemory.Allocate(n * 8, clear: false);
        var memory = new ArrowBuffer(output);
        bool nulls = column.NullCount > 0;
        System.Threading.Tasks.Parallel.For(0, (n + Chunk - 1) / Chunk, new ParallelOptions { MaxDegreeOfParallelism = Execution.Parallel.Degree }, c =>
        {
            int start = c * Chunk, end = Math.Min(n, start + Chunk);
            ScanRange(column, floats.Values, first, d, probe, probeNorm, f, nulls, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(output.Span)[start..end], start, end, rows);
        });
        if (!nulls) return ArrowArray.FromData(new ArrayData(DataType.Float64, n, 0, 0, [ArrowBuffer.Empty, memory]));
        if (rows is null) return ArrowArray.FromData(new ArrayData(DataType.Float64, n, 0, column.NullCount, [CastKernel.Validity(column), memory]));
        var validity = new byte[BitUtil.BytesFor(n)];
        int nullCount = 0;
        for (int j = 0; j < n; j++)
            if (column.IsNull(rows[j])) nullCount++; else BitUtil.SetBit(validity, j, true);
        return ArrowArray.FromData(new ArrayData(DataType.Float64, n, 0, nullCount, [nullCount == 0 ? ArrowBuffer.Empty : ArrowBuffer.Copy(validity), memory]));
    }

    /// <summary>Rows scored in parallel in chunks of this many.</summary>
    private const int Chunk = 16_384;

    /// <summary>The fused similarity top-k: a float32 vector column against a constant probe, scored 256 rows at a
    /// time into a stack buffer that <see cref="BestRows{T}"/> narrows at once, chunks in parallel; no score array is
    /// built. The candidates are those the ordinary kernel's scores would give (NULL vectors always among them).</summary>
    private static bool Top(ArrowArray a, ArrowArray b, int n, int[]? rows, int keep, bool descending, Metric f, out int[]? candidates)
    {
        candidates = null;
        if (ColumnAndProbe(ref a, ref b) is not var (column, probe)) return false;
        var floats = (PrimitiveArray<float>)column.Values;
        float probeNorm = MathF.Sqrt(VectorMath.Dot(probe, probe));
        int d = probe.Length, first = column.Data.Offset * d;
        bool nulls = column.NullCount > 0;
        var chunks = new BestRows<double>[(n + Chunk - 1) / Chunk];
        System.Threading.Tasks.Parallel.For(0, chunks.Length, new ParallelOptions { MaxDegreeOfParallelism = Execution.Parallel.Degree }, c =>
        {
            var best = new BestRows<double>(keep, descending);
            Span<double> scores = stackalloc double[256];
            for (int start = c * Chunk, end = Math.Min(n, start + Chunk); start < end; start += scores.Length)
            {
                int count = Math.Min(scores.Length, end - start);
                var block = scores[..count];
                ScanRange(column, floats.Values, first, d, probe, probeNorm, f, nulls, block, start, start + count, rows);
                if (nulls)
                    for (int j = 0; j < count; j++)
                        if (column.IsNull(rows is null ? start + j : rows[start + j])) block[j] = double.NaN; // NULL: always a candidate
                best.Add(block, start);
            }
            chunks[c] = best;
        });
        for (int c = 1; c < chunks.Length; c++) chunks[0].Merge(chunks[c]);
        candidates = chunks[0].Rows();
        return true;
    }

    /// <summary>Scores rows <paramref name="start"/> to <paramref name="end"/> (positions into <paramref name="rows"/>
    /// when given) into <paramref name="values"/>, whose slot 0 is row <paramref name="start"/>; a NULL vector scores 0.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void ScanRange(FixedSizeListArray column, ReadOnlySpan<float> all, int first, int d, float[] probe, float probeNorm, Metric f, bool nulls, Span<double> values, int start, int end, int[]? rows)
    {
        if (f is Metric.Cosine or Metric.CosineDistance)
        {
            // Cosine: dot products and norms of blocks of rows at once (VectorMath.DotsAndNorms), then the same float
            // arithmetic as Compute.
            const int Block = 256;
            Span<float> dots = stackalloc float[Block], norms = stackalloc float[Block];
            for (int b = start; b < end; b += Block)
            {
                int count = Math.Min(Block, end - b);
                var picked = rows is null ? default : rows.AsSpan(b, count);
                VectorMath.DotsAndNorms(all, rows is null ? first + b * d : first, d, picked, probe, dots[..count], norms[..count]);
                int j = 0;
                if (!nulls && Vector256.IsHardwareAccelerated)
                {
                    // Eight rows at a time: the same IEEE operations (square root, product, quotient, 1 − cos) as the
                    // scalar loop below, so the scores are bit-identical; each float widens exactly to float64.
                    var pn = Vector256.Create(probeNorm);
                    for (; j + 8 <= count; j += 8)
                    {
                        var cos = Vector256.Create<float>(dots.Slice(j, 8)) / (Vector256.Sqrt(Vector256.Create<float>(norms.Slice(j, 8))) * pn);
                        if (f == Metric.CosineDistance) cos = Vector256<float>.One - cos;
                        var (low, high) = Vector256.Widen(cos);
                        low.CopyTo(values.Slice(b - start + j, 4));
                        high.CopyTo(values.Slice(b - start + j + 4, 4));
                    }
                }
                for (; j < count; j++)
                {
                    int row = rows is null ? b + j : rows[b + j];
                    float cos = dots[j] / (MathF.Sqrt(norms[j]) * probeNorm);
                    values[b - start + j] = nulls && column.IsNull(row) ? 0 : f == Metric.Cosine ? cos : 1 - cos;
                }
            }
            return;
        }
        for (int j = start; j < end; j++)
        {
            int i = rows is null ? j : rows[j];
            values[j - start] = nulls && column.IsNull(i) ? 0 : Compute(f, all.Slice(first + i * d, d), probe, probeNorm);
        }
    }


    private static ArrowArray Kernel(string name, ArrowArray a, ArrowArray b, int n, Metric f)
    {
        // A constant probe (a literal or parameter) against an embedding column: the column's vectors are read in place.
        if (n != 1 && ColumnAndProbe(ref a, ref b) is var (column, probe)) return Scan(column, probe, n, f);
        if (a.Length == 1 && n != 1) (a, b) = (b, a); // every function here is symmetric: keep the constant second
        float[] sa = new float[64], sb = new float[64];
        var output = AlignedMemory.Allocate(n * 8, clear: false);
        var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(output.Span);
        var validity = new byte[BitUtil.BytesFor(n)];
        int nulls = 0;
        if (b.Length == 1 && n != 1)
        {
            // A constant probe of another shape: converted once.
            var constant = Row(b, 0, sb, out bool probeNull).ToArray();
            a = Vectors.Expand(a, n);
            for (int i = 0; i < n; i++)
            {
                var x = Row(a, i, sa, out bool nx);
                if (nx || probeNull) { nulls++; values[i] = 0; continue; }
                if (x.Length != constant.Length) throw new QueryLakeException("QL-TYPE-MISMATCH", $"{name}() needs vectors of one dimension, not {x.Length} and {constant.Length} (row {i})");
                values[i] = Compute(f, x, constant);
                BitUtil.SetBit(validity, i, true);
            }
            return ArrowArray.FromData(new ArrayData(DataType.Float64, n, 0, nulls, [nulls == 0 ? ArrowBuffer.Empty : ArrowBuffer.Copy(validity), new ArrowBuffer(output)]));
        }
        for (int i = 0; i < n; i++)
        {
            var x = Row(a, i, sa, out bool nx);
            var y = Row(b, i, sb, out bool ny);
            if (nx || ny) { nulls++; values[i] = 0; continue; }
            if (x.Length != y.Length) throw new QueryLakeException("QL-TYPE-MISMATCH", $"{name}() needs vectors of one dimension, not {x.Length} and {y.Length} (row {i})");
            values[i] = Compute(f, x, y);
            BitUtil.SetBit(validity, i, true);
        }
        return ArrowArray.FromData(new ArrayData(DataType.Float64, n, 0, nulls, [nulls == 0 ? ArrowBuffer.Empty : ArrowBuffer.Copy(validity), new ArrowBuffer(output)]));
    }
}
