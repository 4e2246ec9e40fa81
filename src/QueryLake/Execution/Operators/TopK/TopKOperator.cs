using QueryLake.Columnar;
using QueryLake.Execution.Operators.Sort;
using QueryLake.Kernels;
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
        bool numericKey = node.Keys.Count == 1 && node.Keys[0].Expr.Type.IsNumeric;
        var keys = new List<Columnar.Arrays.PrimitiveArray<double>?>();
        if (keep > 0)
            foreach (var b in input)
            {
                ctx.Cancel.ThrowIfCancellationRequested();
                if (b.Length == 0) continue;
                int source = batches.Count;
                batches.Add(b);
                comparer.AddSource(b);
                var key = numericKey ? CastKernel.ToFloat64(ExpressionEvaluator.Evaluate(node.Keys[0].Expr, b)) : null;
                keys.Add(key);
                bool descending = node.Keys[0].Descending;
                for (int r = 0; r < b.Length; r++)
                {
                    var pick = new Gather.Pick(source, r);
                    if (heap.Count < keep) { heap.Enqueue(pick, pick); continue; }
                    if (key is not null && key.IsValid(r))
                    {
                        // Only a strictly better number can beat the worst kept row (a tie loses: input order).
                        var worst = heap.Peek();
                        var worstKeys = keys[worst.Source]!;
                        double v = key.Values[r], w = worstKeys.Values[worst.Row];
                        if (worstKeys.IsValid(worst.Row) && !double.IsNaN(v) && !double.IsNaN(w) && (descending ? v <= w : v >= w)) continue;
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
