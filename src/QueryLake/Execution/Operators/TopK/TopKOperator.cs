using QueryLake.Columnar;
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
        var comparer = new RowOrder(node.Keys);
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
}
