using System.Collections;
using System.Globalization;
using QueryLake.Columnar.Types;
using QueryLake.Errors;

namespace QueryLake.Functions.Scalar;

/// <summary>
/// Lists and tensors as arrays of numbers: <c>list_extract</c> and <c>list_slice</c> (what <c>list[i]</c> and
/// <c>list[a:b:s]</c> bind to, 1-based with inclusive bounds as in DuckDB), <c>shape</c>, NumPy-style indexing of
/// TENSOR values (<see cref="Index"/>: 0-based, exclusive stops, negative positions, steps, one entry per dimension),
/// and element-wise arithmetic on numeric lists, embeddings and tensors (<see cref="ElementWise"/>).
/// </summary>
internal static class TensorFunctions
{
    public static void Register(FunctionRegistry r)
    {
        r.Add(new ScalarFunction("list_extract", "list_extract(list, i) or list[i]", "The i-th element (1-based; negative counts from the end); NULL when out of range.",
            "SELECT [10, 20, 30][2] → 20",
            t => t.Count == 2 && Item(t[0]) is { } item && t[1].IsInteger
                ? new Resolution(item, RowMapped.Kernel(item, a => Extract(Items(a[0]!), Convert.ToInt64(a[1], CultureInfo.InvariantCulture))), [t[0], DataType.Int64])
                : null));
        r.Add(new ScalarFunction("list_slice", "list_slice(list, begin, end[, step]) or list[begin:end:step]", "Elements begin..end (1-based, both inclusive; negative counts from the end; NULL bounds mean the ends), every step-th.",
            "SELECT [10, 20, 30, 40][2:3] → [20, 30]",
            t => t.Count is 3 or 4 && Item(t[0]) is { } item && t.Skip(1).All(x => x.IsInteger || x is NullType)
                ? new Resolution(DataType.List(item), RowMapped.Kernel(DataType.List(item), a => Slice(Items(a[0]!), Long(a[1]), Long(a[2]), a.Length > 3 ? Long(a[3]) : null), nullAware: true),
                    [t[0], .. t.Skip(1).Select(_ => DataType.Int64)])
                : null));
        r.Add(new ScalarFunction("shape", "shape(tensor_or_list)", "The dimensions: a TENSOR's shape, or [length] of a list.", "SELECT shape([1, 2, 3]) → [3]",
            t => t.Count == 1 && (Item(t[0]) is not null || t[0] is TensorType)
                ? new Resolution(DataType.List(DataType.Int64), RowMapped.Kernel(DataType.List(DataType.Int64), a =>
                    t[0] is TensorType { Shape: { } shape } ? shape.Select(d => (object?)(long)d).ToList()
                    // A variable-shape tensor keeps each value's shape beside its data.
                    : t[0] is TensorType && a[0] is IReadOnlyDictionary<string, object?> v ? Items(v["shape"]!).Select(d => (object?)System.Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture)).ToList()
                    : new List<object?> { (long)Items(a[0]!).Count }))
                : null));
    }

    /// <summary>The element type of a list, fixed-size list, EMBEDDING or TENSOR; null for other types.</summary>
    public static DataType? Item(DataType t) => t.StorageType switch
    {
        ListType l => l.ValueType,
        FixedSizeListType f => f.ValueType,
        _ => null,
    };

    private static long? Long(object? v) => v is null ? null : Convert.ToInt64(v, CultureInfo.InvariantCulture);

    /// <summary>A list value (object?[], float[], …) as a list of objects.</summary>
    public static IReadOnlyList<object?> Items(object value) => value switch
    {
        object?[] o => o,
        IList l => l.Cast<object?>().ToList(),
        _ => throw new QueryLakeException("QL-TYPE-MISMATCH", $"{value.GetType().Name} is not a list"),
    };

    private static object? Extract(IReadOnlyList<object?> items, long i)
    {
        long k = i > 0 ? i - 1 : items.Count + i;
        return i == 0 || k < 0 || k >= items.Count ? null : items[(int)k];
    }

    private static object? Slice(IReadOnlyList<object?>? items, long? begin, long? end, long? step)
    {
        if (items is null) return null;
        if (step is <= 0) throw new QueryLakeException("QL-BAD-ARGUMENT", "a list slice step must be positive");
        int n = items.Count;
        long b = begin is null ? 1 : begin < 0 ? n + begin.Value + 1 : Math.Max(1, begin.Value);
        long e = end is null ? n : end < 0 ? n + end.Value + 1 : Math.Min(n, end.Value);
        var output = new List<object?>();
        for (long k = b; k <= e; k += step ?? 1) if (k >= 1 && k <= n) output.Add(items[(int)(k - 1)]);
        return output;
    }

    /// <summary>One entry of a TENSOR subscript: an index (the dimension is dropped) or a slice.</summary>
    public readonly record struct Entry(long? Index, long? From, long? To, long? Step, bool IsSlice);

    /// <summary>NumPy-style indexing of a tensor by constant entries: the result type (a scalar of the tensor's dtype
    /// when every dimension is indexed, else a TENSOR of the remaining dimensions) and the kernel. A fixed-shape
    /// tensor's flat positions are worked out once, here; a variable-shape tensor's per row, from the row's shape (an
    /// index outside a row's dimension is that row's error).</summary>
    public static (DataType Result, ScalarKernel Kernel) Index(TensorType tensor, IReadOnlyList<Entry> entries)
    {
        if (entries.Count > tensor.Rank)
            throw new QueryLakeException("QL-BAD-INDEX", $"{entries.Count} indexes for a tensor of {tensor.Rank} dimensions");
        if (tensor.Shape is { } shape)
        {
            var (positions, kept) = Positions(shape, entries);
            DataType fixedResult = kept.Count == 0 ? tensor.DType : new TensorType(tensor.DType, kept);
            return (fixedResult, Take(fixedResult, positions));
        }
        foreach (var e in entries)
            if (e.IsSlice && e.Step == 0) throw new QueryLakeException("QL-BAD-INDEX", "a slice step cannot be zero");
        int rank = entries.Count(e => e.IsSlice) + tensor.Rank - entries.Count;
        DataType result = rank == 0 ? tensor.DType : new TensorType(tensor.DType, rank);
        return (result, RowMapped.Kernel(result, a =>
        {
            var value = (IReadOnlyDictionary<string, object?>)a[0]!;
            var items = Items(value["data"]!);
            var dims = Items(value["shape"]!).Select(d => Convert.ToInt32(d, CultureInfo.InvariantCulture)).ToArray();
            var (positions, kept) = Positions(dims, entries);
            if (result is not TensorType) return items[positions[0]];
            return new Dictionary<string, object?> { ["data"] = positions.Select(p => items[p]).ToList(), ["shape"] = kept.ToArray() };
        }));
    }

    /// <summary>The flat positions (row-major) that <paramref name="entries"/> take from a tensor of
    /// <paramref name="shape"/>, and the sizes of the dimensions that remain (those sliced or not indexed).</summary>
    internal static (int[] Positions, List<int> Kept) Positions(IReadOnlyList<int> shape, IReadOnlyList<Entry> entries)
    {
        var picks = new List<int[]>();
        var kept = new List<int>();
        for (int d = 0; d < shape.Count; d++)
        {
            int size = shape[d];
            var e = d < entries.Count ? entries[d] : new Entry(null, null, null, null, true);
            if (!e.IsSlice)
            {
                long i = e.Index!.Value < 0 ? size + e.Index.Value : e.Index.Value;
                if (i < 0 || i >= size) throw new QueryLakeException("QL-BAD-INDEX", $"index {e.Index} is out of range for dimension {d} of size {size}");
                picks.Add([(int)i]);
                continue;
            }
            long step = e.Step ?? 1;
            if (step == 0) throw new QueryLakeException("QL-BAD-INDEX", "a slice step cannot be zero");
            long Clamp(long v, long lo, long hi) => Math.Min(Math.Max(v, lo), hi);
            long start = e.From is { } f ? Clamp(f < 0 ? f + size : f, step > 0 ? 0 : -1, step > 0 ? size : size - 1) : step > 0 ? 0 : size - 1;
            long stop = e.To is { } t ? Clamp(t < 0 ? t + size : t, step > 0 ? 0 : -1, step > 0 ? size : size - 1) : step > 0 ? size : -1;
            var range = new List<int>();
            for (long k = start; step > 0 ? k < stop : k > stop; k += step) range.Add((int)k);
            picks.Add([.. range]);
            kept.Add(range.Count);
        }
        var strides = new int[shape.Count];
        for (int d = shape.Count - 1, s = 1; d >= 0; s *= shape[d], d--) strides[d] = s;
        var positions = new List<int> { 0 };
        for (int d = 0; d < shape.Count; d++)
            positions = positions.SelectMany(p => picks[d].Select(i => p + i * strides[d])).ToList();
        if (kept.Contains(0)) throw new QueryLakeException("QL-BAD-INDEX", "the slice selects no elements");
        return ([.. positions], kept);
    }

    /// <summary>Takes <paramref name="positions"/> from each tensor value.</summary>
    private static ScalarKernel Take(DataType result, int[] positions) => RowMapped.Kernel(result, a =>
    {
        var items = Items(a[0]!);
        if (result is not TensorType) return items[positions[0]];
        return positions.Select(p => items[p]).ToList();
    });

    /// <summary>Element-wise + − × ÷ when either side is a numeric list, EMBEDDING or TENSOR (the other side a list of
    /// the same length or a number, which applies to every element), in floating point. The result keeps the list's
    /// type when its elements are floating point and the other side is a number or of the same type; otherwise it is
    /// DOUBLE[]. NULL elements stay NULL.</summary>
    public static Resolution? ElementWise(string op, IReadOnlyList<DataType> t)
    {
        if (t.Count != 2) return null;
        bool l0 = Numeric(t[0]), l1 = Numeric(t[1]);
        if (!l0 && !l1 || !l0 && !t[0].IsNumeric || !l1 && !t[1].IsNumeric) return null;
        var list = l0 ? t[0] : t[1];
        bool keep = Item(list)!.Id is TypeId.Float32 or TypeId.Float64 && (!l0 || !l1 || t[0].Equals(t[1]));
        DataType result = keep ? list : DataType.List(DataType.Float64);
        bool asFloat = keep && Item(list)!.Id == TypeId.Float32;
        Func<double, double, double> f = op switch
        {
            "+" => (x, y) => x + y,
            "-" => (x, y) => x - y,
            "*" => (x, y) => x * y,
            _ => (x, y) => x / y,
        };
        return new Resolution(result, RowMapped.Kernel(result, a =>
        {
            var xs = l0 ? Items(a[0]!) : null;
            var ys = l1 ? Items(a[1]!) : null;
            int n = (xs ?? ys)!.Count;
            if (xs is not null && ys is not null && xs.Count != ys.Count)
                throw new QueryLakeException("QL-TYPE-MISMATCH", $"element-wise {op} needs lists of one length, not {xs.Count} and {ys.Count}");
            var output = new object?[n];
            for (int k = 0; k < n; k++)
            {
                object? x = xs is null ? a[0] : xs[k], y = ys is null ? a[1] : ys[k];
                if (x is null || y is null) continue;
                double v = f(Convert.ToDouble(x, CultureInfo.InvariantCulture), Convert.ToDouble(y, CultureInfo.InvariantCulture));
                output[k] = asFloat ? (float)v : v;
            }
            return output;
        }));
    }

    private static bool Numeric(DataType t) => Item(t) is { } item && (item.IsNumeric || item is NullType);
}
