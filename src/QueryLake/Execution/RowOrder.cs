using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Kernels;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution;

/// <summary>
/// Orders rows, given as (batch, row) picks, by ORDER BY keys: ASC/DESC and NULLS FIRST/LAST, int64 and
/// float64 keys compared without boxing. <see cref="Compare"/> breaks ties by input position, which makes
/// any sort with it stable; <see cref="CompareKeys"/> does not (it tells peers apart from the rest).
/// Used by sort, top-k and window functions.
/// </summary>
internal sealed class RowOrder(IReadOnlyList<SortKey> keys) : IComparer<Gather.Pick>
{
    private readonly List<ArrowArray>[] _columns = keys.Select(_ => new List<ArrowArray>()).ToArray();
    private readonly Dictionary<(int, int, int), Func<int, int, int>> _mixed = [];

    /// <summary>Evaluates the keys over the next source batch (its picks use the next source index).</summary>
    public void AddSource(RecordBatch b)
    {
        for (int k = 0; k < keys.Count; k++) _columns[k].Add(ExpressionEvaluator.Evaluate(keys[k].Expr, b));
    }

    /// <summary>Evaluates the keys over a batch that takes the place of source <paramref name="index"/> (a merge moving
    /// a run to its next batch).</summary>
    public void ReplaceSource(int index, RecordBatch b)
    {
        for (int k = 0; k < keys.Count; k++) _columns[k][index] = ExpressionEvaluator.Evaluate(keys[k].Expr, b);
        if (_mixed.Count > 0)
            foreach (var key in _mixed.Keys.Where(x => x.Item2 == index || x.Item3 == index).ToList()) _mixed.Remove(key);
    }

    /// <summary>
    /// An order-preserving 8-byte prefix of a row's first key: rows whose prefixes differ compare as their prefixes do,
    /// and rows with equal prefixes need <see cref="Compare"/>. Sorting by (prefix, pick) then mostly compares integers
    /// held next to the picks instead of reaching into the key columns at random. Integers and floating point map
    /// whole (NaN last, −0 as 0), text and blobs by their first 8 bytes; other types give 0 (always a tie).
    /// </summary>
    public ulong Prefix(Gather.Pick p)
    {
        if (keys.Count == 0) return 0;
        var key = keys[0];
        var column = _columns[0][p.Source];
        if (column.IsNull(p.Row)) return key.NullsFirst ? 0UL : ulong.MaxValue;
        if (PrefixOf(column, p.Row) is not { } v) return 1UL << 63; // every row the same: ties settle all
        if (key.Descending) v = ~v;
        // Values must not take the nulls' extreme: clamp them one step inside, where Compare settles any tie.
        return key.NullsFirst ? Math.Max(v, 1UL) : Math.Min(v, ulong.MaxValue - 1);
    }

    /// <summary>Whether every source's first key has a prefix (<see cref="Prefix"/> is then worth computing; with a
    /// source whose type has none, all prefixes are alike).</summary>
    public bool HasPrefixes => keys.Count > 0 && _columns[0].All(c => c is PrimitiveArray<long> or PrimitiveArray<int> or PrimitiveArray<double> or BinaryArray
        or DictionaryArray { Dictionary: PrimitiveArray<long> or PrimitiveArray<int> or PrimitiveArray<double> or BinaryArray });

    private static ulong? PrefixOf(ArrowArray column, int row)
    {
        switch (column)
        {
            case PrimitiveArray<long> l:
                return (ulong)(l[row] ^ long.MinValue);
            case PrimitiveArray<int> i:
                return (ulong)((long)i[row] ^ long.MinValue);
            case PrimitiveArray<double> d:
            {
                double x = d[row];
                if (double.IsNaN(x)) return ulong.MaxValue - 1; // every NaN alike, after +∞
                if (x == 0) x = 0; // −0 equals 0
                long bits = BitConverter.DoubleToInt64Bits(x);
                return bits < 0 ? ~(ulong)bits : (ulong)bits ^ (1UL << 63);
            }
            case BinaryArray b:
            {
                var bytes = b.GetBytes(row);
                Span<byte> eight = stackalloc byte[8];
                eight.Clear();
                bytes[..Math.Min(8, bytes.Length)].CopyTo(eight);
                return System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(eight);
            }
            case DictionaryArray e:
                return PrefixOf(e.Dictionary, (int)e.GetIndex(row));
            default:
                return null;
        }
    }

    public int Compare(Gather.Pick x, Gather.Pick y)
    {
        int c = CompareKeys(x, y);
        if (c != 0) return c;
        return x.Source != y.Source ? x.Source.CompareTo(y.Source) : x.Row.CompareTo(y.Row);
    }

    public int CompareKeys(Gather.Pick x, Gather.Pick y)
    {
        for (int k = 0; k < keys.Count; k++)
        {
            var a = _columns[k][x.Source];
            var b = _columns[k][y.Source];
            bool an = a.IsNull(x.Row), bn = b.IsNull(y.Row);
            int c;
            if (an || bn) c = an == bn ? 0 : (an ? -1 : 1) * (keys[k].NullsFirst ? 1 : -1);
            else
            {
                c = (a, b) switch
                {
                    (PrimitiveArray<long> l1, PrimitiveArray<long> l2) => l1[x.Row].CompareTo(l2[y.Row]),
                    (PrimitiveArray<double> d1, PrimitiveArray<double> d2) => Comparer.Doubles(d1[x.Row], d2[y.Row]),
                    (BinaryArray s1, BinaryArray s2) => s1.GetBytes(x.Row).SequenceCompareTo(s2.GetBytes(y.Row)),
                    _ => Mixed(k, x.Source, y.Source)(x.Row, y.Row),
                };
                if (keys[k].Descending) c = -c;
            }
            if (c != 0) return c;
        }
        return 0;
    }

    private Func<int, int, int> Mixed(int key, int s1, int s2)
    {
        if (!_mixed.TryGetValue((key, s1, s2), out var f))
            _mixed[(key, s1, s2)] = f = Comparer.For(_columns[key][s1], _columns[key][s2]);
        return f;
    }
}
