using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Execution.Operators.Sort;
using QueryLake.Kernels;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution.Operators.TopK;

/// <summary>ORDER BY … LIMIT k without a full sort: a bounded heap keeps the best k+offset rows seen so far
/// (ties keep input order), so time is O(n log k) and only the rows in the heap are ever copied.</summary>
internal static class TopKOperator
{
    public static IEnumerable<RecordBatch> Execute(TopKNode node, IEnumerable<RecordBatch> input, QueryContext ctx)
    {
        long keep = node.K + node.Offset;
        var batches = new List<RecordBatch>();
        var comparer = new PickComparer(node.Keys);
        // The heap's "priority" puts the worst kept row first, so it is the one replaced.
        var heap = new PriorityQueue<Gather.Pick, Gather.Pick>(Comparer<Gather.Pick>.Create((a, b) => comparer.Compare(b, a)));
        if (keep > 0)
            foreach (var b in input)
            {
                ctx.Cancel.ThrowIfCancellationRequested();
                if (b.Length == 0) continue;
                int source = batches.Count;
                batches.Add(b);
                comparer.AddSource(b);
                for (int r = 0; r < b.Length; r++)
                {
                    var pick = new Gather.Pick(source, r);
                    if (heap.Count < keep) heap.Enqueue(pick, pick);
                    else if (comparer.Compare(pick, heap.Peek()) < 0) heap.EnqueueDequeue(pick, pick);
                }
            }
        var best = new List<Gather.Pick>(heap.Count);
        while (heap.Count > 0) best.Add(heap.Dequeue());
        best.Sort(comparer);
        int start = (int)Math.Min(node.Offset, best.Count);
        return SortOperator.Emit(node.Schema, batches, best.ToArray(), start, best.Count - start);
    }

    /// <summary>Orders (batch, row) picks by the sort keys, then by arrival; int64 and float64 keys compare without boxing.</summary>
    private sealed class PickComparer(IReadOnlyList<SortKey> keys) : IComparer<Gather.Pick>
    {
        private readonly List<ArrowArray>[] _columns = keys.Select(_ => new List<ArrowArray>()).ToArray();
        private readonly Dictionary<(int, int, int), Func<int, int, int>> _mixed = [];

        public void AddSource(RecordBatch b)
        {
            for (int k = 0; k < keys.Count; k++) _columns[k].Add(ExpressionEvaluator.Evaluate(keys[k].Expr, b));
        }

        public int Compare(Gather.Pick x, Gather.Pick y)
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
                        (PrimitiveArray<double> d1, PrimitiveArray<double> d2) => Kernels.Comparer.Doubles(d1[x.Row], d2[y.Row]),
                        _ => Mixed(k, x.Source, y.Source)(x.Row, y.Row),
                    };
                    if (keys[k].Descending) c = -c;
                }
                if (c != 0) return c;
            }
            return x.Source != y.Source ? x.Source.CompareTo(y.Source) : x.Row.CompareTo(y.Row);
        }

        private Func<int, int, int> Mixed(int key, int s1, int s2)
        {
            if (!_mixed.TryGetValue((key, s1, s2), out var f))
                _mixed[(key, s1, s2)] = f = Kernels.Comparer.For(_columns[key][s1], _columns[key][s2]);
            return f;
        }
    }
}
