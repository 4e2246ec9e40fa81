using QueryLake.Columnar;
using QueryLake.Execution.Operators.Sort;
using QueryLake.Kernels;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution.Operators.TopK;

/// <summary>ORDER BY … LIMIT k without a full sort: candidates are kept to the best k+offset, re-trimmed
/// whenever the buffer doubles, so memory stays O(k) and time O(n log k).</summary>
internal static class TopKOperator
{
    public static IEnumerable<RecordBatch> Execute(TopKNode node, IEnumerable<RecordBatch> input, QueryContext ctx)
    {
        long keep = node.K + node.Offset;
        var buffer = new List<RecordBatch>();
        long buffered = 0;
        foreach (var b in input)
        {
            if (b.Length == 0) continue;
            buffer.Add(b);
            buffered += b.Length;
            if (buffered > Math.Max(2 * keep, 1 << 16)) (buffer, buffered) = Trim(node, buffer, keep, ctx);
        }
        var order = SortOperator.SortedOrder(buffer, node.Keys, ctx);
        int start = (int)Math.Min(node.Offset, order.Length);
        int count = (int)Math.Min(node.K, order.Length - start);
        return SortOperator.Emit(node.Schema, buffer, order, start, count);
    }

    private static (List<RecordBatch>, long) Trim(TopKNode node, List<RecordBatch> buffer, long keep, QueryContext ctx)
    {
        var order = SortOperator.SortedOrder(buffer, node.Keys, ctx);
        var best = SortOperator.Emit(node.Schema, buffer, order, 0, (int)Math.Min(keep, order.Length)).ToList();
        return (best, best.Sum(b => (long)b.Length));
    }
}
