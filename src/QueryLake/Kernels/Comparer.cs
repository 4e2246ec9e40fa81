using QueryLake.Columnar.Arrays;

namespace QueryLake.Kernels;

/// <summary>Compares slots of arrays of one type, DuckDB-style: strings by UTF-8 bytes, NaN equal to itself
/// and greater than every other number. Nulls are handled by callers.</summary>
internal static class Comparer
{
    public static int Doubles(double a, double b)
    {
        bool na = double.IsNaN(a), nb = double.IsNaN(b);
        if (na || nb) return na == nb ? 0 : na ? 1 : -1;
        return a.CompareTo(b);
    }

    /// <summary>Compares two non-null values of one type in their .NET form (as <c>GetValue</c> returns them).</summary>
    public static int Values(object a, object b) => a switch
    {
        double d => Doubles(d, (double)b),
        float f => Doubles(f, (float)b),
        string s => string.CompareOrdinal(s, (string)b),
        byte[] bytes => bytes.AsSpan().SequenceCompareTo((byte[])b),
        Guid g => Columnar.Types.UuidType.Compare(g, (Guid)b),
        // DECIMAL values read as decimal, or as SqlDecimal past 28 digits: compare across the two.
        decimal or System.Data.SqlTypes.SqlDecimal when a.GetType() != b.GetType() => Big(a).CompareTo(Big(b)),
        object?[] or IReadOnlyDictionary<string, object?> => ValueEquality.Compare(a, b),
        IComparable c => c.CompareTo(b),
        _ => throw new InvalidOperationException($"values of type {a.GetType().Name} cannot be ordered"),
    };

    private static System.Data.SqlTypes.SqlDecimal Big(object v) => v is decimal d ? new System.Data.SqlTypes.SqlDecimal(d) : (System.Data.SqlTypes.SqlDecimal)v;

    /// <summary>A comparison of slot i of <paramref name="a"/> with slot j of <paramref name="b"/>.</summary>
    public static Func<int, int, int> For(ArrowArray a, ArrowArray b) => (a, b) switch
    {
        (PrimitiveArray<long> x, PrimitiveArray<long> y) => (i, j) => x[i].CompareTo(y[j]),
        (PrimitiveArray<double> x, PrimitiveArray<double> y) => (i, j) => Doubles(x[i], y[j]),
        (PrimitiveArray<int> x, PrimitiveArray<int> y) => (i, j) => x[i].CompareTo(y[j]),
        (PrimitiveArray<float> x, PrimitiveArray<float> y) => (i, j) => Doubles(x[i], y[j]),
        (PrimitiveArray<short> x, PrimitiveArray<short> y) => (i, j) => x[i].CompareTo(y[j]),
        (PrimitiveArray<sbyte> x, PrimitiveArray<sbyte> y) => (i, j) => x[i].CompareTo(y[j]),
        (PrimitiveArray<ulong> x, PrimitiveArray<ulong> y) => (i, j) => x[i].CompareTo(y[j]),
        (PrimitiveArray<uint> x, PrimitiveArray<uint> y) => (i, j) => x[i].CompareTo(y[j]),
        (PrimitiveArray<ushort> x, PrimitiveArray<ushort> y) => (i, j) => x[i].CompareTo(y[j]),
        (PrimitiveArray<byte> x, PrimitiveArray<byte> y) => (i, j) => x[i].CompareTo(y[j]),
        (PrimitiveArray<Int128> x, PrimitiveArray<Int128> y) => (i, j) => x[i].CompareTo(y[j]),
        (BooleanArray x, BooleanArray y) => (i, j) => x.GetBoolean(i).CompareTo(y.GetBoolean(j)),
        (BinaryArray x, BinaryArray y) => (i, j) => x.GetBytes(i).SequenceCompareTo(y.GetBytes(j)),
        (FixedSizeBinaryArray x, FixedSizeBinaryArray y) => (i, j) => x.GetBytes(i).SequenceCompareTo(y.GetBytes(j)),
        // Dictionary-encoded slots compare their dictionary values, found by index (nothing is decoded).
        (DictionaryArray x, _) => Encoded(x, b, first: true),
        (_, DictionaryArray y) => Encoded(y, a, first: false),
        (ListArray or FixedSizeListArray, ListArray or FixedSizeListArray) => Lists(a, b),
        (StructArray x, StructArray y) => Structs(x, y),
        _ => throw new InvalidOperationException($"cannot compare {a.Type} with {b.Type}"),
    };

    private static Func<int, int, int> Encoded(DictionaryArray d, ArrowArray other, bool first)
    {
        var values = first ? For(d.Dictionary, other) : For(other, d.Dictionary);
        return first ? (i, j) => values((int)d.GetIndex(i), j) : (i, j) => values(i, (int)d.GetIndex(j));
    }

    /// <summary>Lists compare element by element (NULL elements after all values), then a shorter prefix first.</summary>
    private static Func<int, int, int> Lists(ArrowArray a, ArrowArray b)
    {
        var (av, aSlot) = ListSlots(a);
        var (bv, bSlot) = ListSlots(b);
        var items = For(av, bv);
        return (i, j) =>
        {
            var (ao, al) = aSlot(i);
            var (bo, bl) = bSlot(j);
            for (int k = 0; k < Math.Min(al, bl); k++)
            {
                bool an = av.IsNull(ao + k), bn = bv.IsNull(bo + k);
                int c = an || bn ? (an == bn ? 0 : an ? 1 : -1) : items(ao + k, bo + k);
                if (c != 0) return c;
            }
            return al.CompareTo(bl);
        };
    }

    /// <summary>Structs compare field by field in order (a NULL field after every value).</summary>
    private static Func<int, int, int> Structs(StructArray a, StructArray b)
    {
        int n = Math.Min(a.StructType.Fields.Count, b.StructType.Fields.Count);
        var fa = Enumerable.Range(0, n).Select(a.Field).ToArray();
        var fb = Enumerable.Range(0, n).Select(b.Field).ToArray();
        var fields = Enumerable.Range(0, n).Select(k => For(fa[k], fb[k])).ToArray();
        return (i, j) =>
        {
            for (int k = 0; k < n; k++)
            {
                bool an = fa[k].IsNull(i), bn = fb[k].IsNull(j);
                int c = an || bn ? (an == bn ? 0 : an ? 1 : -1) : fields[k](i, j);
                if (c != 0) return c;
            }
            return a.StructType.Fields.Count.CompareTo(b.StructType.Fields.Count);
        };
    }

    private static (ArrowArray Values, Func<int, (int Offset, int Length)> Slot) ListSlots(ArrowArray a) => a switch
    {
        ListArray l => (l.Values, i => (l.GetValueOffset(i), l.GetValueLength(i))),
        FixedSizeListArray f => (f.Values, i => ((f.Data.Offset + i) * f.ListSize, f.ListSize)),
        _ => throw new InvalidOperationException($"{a.Type} is not a list"),
    };
}
