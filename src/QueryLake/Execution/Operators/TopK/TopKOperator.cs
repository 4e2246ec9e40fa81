using System.Numerics;
using QueryLake.Columnar;
using QueryLake.Execution.Operators.Sort;
using QueryLake.Kernels;
using QueryLake.Columnar.Arrays;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution.Operators.TopK;

/// <summary>ORDER BY … LIMIT k without a full sort: a bounded heap keeps the best k+offset rows seen so far
/// (ties keep input order), so time is O(n log k) and only the rows in the heap are ever copied. With a numeric
/// first key (a similarity score, an id), batches are first narrowed in parallel to the rows whose key can place them
/// among their batch's best k, and a row is checked against the worst kept key as a plain number, so the general row
/// comparison runs only for the few rows that enter the heap.</summary>
internal static class TopKOperator
{
    public static IEnumerable<RecordBatch> Execute(TopKNode node, IEnumerable<RecordBatch> input, QueryContext ctx)
    {
        long keep = node.K + node.Offset;
        var batches = new List<RecordBatch>();
        var comparer = new RowOrder(node.Keys);
        // The heap's "priority" puts the worst kept row first, so it is the one replaced.
        var heap = new PriorityQueue<Gather.Pick, Gather.Pick>(Comparer<Gather.Pick>.Create((a, b) => comparer.Compare(b, a)));
        // With a numeric first key, a row that cannot beat the worst kept row on that key alone is skipped without
        // the general comparison: keys are compared as int64 or float64 in place (no conversion of the column).
        bool numericKey = node.Keys[0].Expr.Type.IsNumeric;
        var keys = new List<ArrowArray?>();
        bool descending = node.Keys[0].Descending;
        // Batches are first narrowed, several at once, to the rows that can be among their own best k by the first key.
        var narrowed = Parallel.OrderedMap(input, b => Narrow(b, node, keep, numericKey), ctx.Threads, ctx.Cancel);
        if (keep > 0)
            foreach (var (b, key, candidates) in narrowed)
            {
                ctx.Cancel.ThrowIfCancellationRequested();
                if (b.Length == 0) continue;
                int source = batches.Count;
                batches.Add(b);
                comparer.AddSource(b);
                keys.Add(key);
                int count = candidates?.Length ?? b.Length;
                for (int c0 = 0; c0 < count; c0++)
                {
                    int r = candidates is null ? c0 : candidates[c0];
                    var pick = new Gather.Pick(source, r);
                    if (heap.Count < keep) { heap.Enqueue(pick, pick); continue; }
                    if (key is not null && key.IsValid(r))
                    {
                        // A row strictly worse on the first key loses; with one key, a tie loses too (input order).
                        var worst = heap.Peek();
                        var worstKey = keys[worst.Source]!;
                        if (worstKey.IsValid(worst.Row))
                        {
                            int c = (key, worstKey) switch
                            {
                                (PrimitiveArray<long> x, PrimitiveArray<long> w) => x.Values[r].CompareTo(w.Values[worst.Row]),
                                (PrimitiveArray<double> x, PrimitiveArray<double> w) when !double.IsNaN(x.Values[r]) && !double.IsNaN(w.Values[worst.Row]) => x.Values[r].CompareTo(w.Values[worst.Row]),
                                _ => 2,
                            };
                            if (c != 2)
                            {
                                if (descending) c = -c;
                                if (c > 0 || (c == 0 && node.Keys.Count == 1)) continue;
                            }
                        }
                    }
                    if (comparer.Compare(pick, heap.Peek()) < 0) heap.EnqueueDequeue(pick, pick);
                }
            }
        var best = new List<Gather.Pick>(heap.Count);
        while (heap.Count > 0) best.Add(heap.Dequeue());
        best.Sort(comparer);
        int start = (int)Math.Min(node.Offset, best.Count);
        return SortOperator.Emit(node.Schema, batches, best.ToArray(), start, best.Count - start);
    }

    /// <summary>A batch with its first key (when numeric) and the rows of it that can be among its best
    /// <paramref name="keep"/> rows: those whose first key is
    /// at least as good as the batch's keep-th best first key, and those with a NULL or NaN first key (their place
    /// depends on NULLS FIRST/LAST and is left to the full comparison); null when every row must be looked at. Rows
    /// outside a batch's own best k cannot be in the overall best k, so dropping them changes nothing.</summary>
    private static (RecordBatch Batch, ArrowArray? Key, int[]? Rows) Narrow(RecordBatch b, TopKNode node, long keep, bool numericKey)
    {
        if (!numericKey) return (b, null, null);
        // The first key as int64 or float64, compared in place (no conversion of an int64 or float64 column).
        ArrowArray key = ExpressionEvaluator.Evaluate(node.Keys[0].Expr, b) switch
        {
            PrimitiveArray<long> l => l,
            PrimitiveArray<double> d => d,
            var other => CastKernel.ToFloat64(other),
        };
        if (keep > 4096 || b.Length <= keep) return (b, key, null);
        bool descending = node.Keys[0].Descending;
        return (b, key, key is PrimitiveArray<long> longs ? Candidates(longs, descending, keep) : Candidates((PrimitiveArray<double>)key, descending, keep));
    }

    private static int[]? Candidates<T>(PrimitiveArray<T> key, bool descending, long keep) where T : unmanaged, INumber<T>
    {
        var v = key.Values;
        bool nulls = key.NullCount > 0;
        // "Better" is larger under DESC; a heap of the keep best values has the worst of them on top.
        var heap = new PriorityQueue<T, T>(Comparer<T>.Create((x, y) => descending ? x.CompareTo(y) : y.CompareTo(x)));
        for (int r = 0; r < v.Length; r++)
        {
            if ((nulls && key.IsNull(r)) || T.IsNaN(v[r])) continue;
            if (heap.Count < keep) heap.Enqueue(v[r], v[r]);
            else if (descending ? v[r] > heap.Peek() : v[r] < heap.Peek()) heap.EnqueueDequeue(v[r], v[r]);
        }
        if (heap.Count < keep) return null;
        T threshold = heap.Peek();
        var rows = new List<int>();
        for (int r = 0; r < v.Length; r++)
            if ((nulls && key.IsNull(r)) || T.IsNaN(v[r]) || (descending ? v[r] >= threshold : v[r] <= threshold)) rows.Add(r);
        return rows.ToArray();
    }
}
