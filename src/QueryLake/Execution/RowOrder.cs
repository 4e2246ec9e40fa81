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
