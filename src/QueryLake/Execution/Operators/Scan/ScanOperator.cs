using QueryLake.Columnar;
using QueryLake.Kernels;
using QueryLake.Planning.Logical;
using QueryLake.Planning.Optimizer;

namespace QueryLake.Execution.Operators.Scan;

/// <summary>Reads a source's columns, skips fragments whose statistics rule the pushed filter out, applies the
/// filter (on several batches at once) and stops at the pushed limit.</summary>
internal static class ScanOperator
{
    public static IEnumerable<RecordBatch> Execute(ScanNode node, QueryContext ctx)
    {
        var keep = node.Filter is null ? null : StatisticsPruning.Predicate(node.Filter, node.Schema);
        long remaining = node.Limit ?? long.MaxValue;
        var batches = node.Source.Scan(node.Columns, keep, ctx.Cancel);
        // Batches are read in order on this thread (memory-mapped, cheap); the filter runs on several at once.
        var filtered = node.Filter is null ? batches : Parallel.OrderedMap(batches, batch =>
        {
            var rows = ExpressionEvaluator.Select(node.Filter, batch);
            return rows.Length == batch.Length ? batch : Gather.Rows(batch, rows);
        }, node.Limit is null ? ctx.Threads : 1, ctx.Cancel);
        foreach (var batch in filtered)
        {
            if (remaining <= 0) yield break;
            var b = batch;
            if (b.Length == 0) continue;
            if (b.Length > remaining) b = b.Slice(0, (int)remaining);
            remaining -= b.Length;
            yield return b;
        }
    }
}
