using QueryLake.Columnar;
using QueryLake.Execution.Operators.Sort;
using QueryLake.Kernels;
using QueryLake.Columnar.Arrays;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution.Operators.TopK;

/// <summary>ORDER BY … LIMIT k without a full sort: a bounded heap keeps the best k+offset rows seen so far
/// (ties keep input order), so time is O(n log k) and only the rows in the heap are ever copied. With one numeric
/// key (a similarity score, an id), a row is first checked against the worst kept key as a plain number, so the
/// general row comparison runs only for the few rows that enter the heap.</summary>
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
        if (keep > 0)
            foreach (var b in input)
            {
                ctx.Cancel.ThrowIfCancellationRequested();
                if (b.Length == 0) continue;
                int source = batches.Count;
                batches.Add(b);
                comparer.AddSource(b);
                ArrowArray? key = numericKey ? ExpressionEvaluator.Evaluate(node.Keys[0].Expr, b) switch
                {
                    PrimitiveArray<long> l => l,
                    PrimitiveArray<double> d => d,
                    var other => CastKernel.ToFloat64(other),
                } : null;
                keys.Add(key);
                for (int r = 0; r < b.Length; r++)
                {
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
}
