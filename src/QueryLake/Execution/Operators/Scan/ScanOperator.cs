using QueryLake.Columnar;
using QueryLake.Kernels;
using QueryLake.Planning.Logical;
using QueryLake.Planning.Optimizer;

namespace QueryLake.Execution.Operators.Scan;

/// <summary>Reads a source's columns, skips fragments whose statistics rule the pushed filter out, applies the
/// filter and stops at the pushed limit.</summary>
internal static class ScanOperator
{
    public static IEnumerable<RecordBatch> Execute(ScanNode node, QueryContext ctx)
    {
        var keep = node.Filter is null ? null : StatisticsPruning.Predicate(node.Filter, node.Schema);
        long remaining = node.Limit ?? long.MaxValue;
        foreach (var batch in node.Source.Scan(node.Columns, keep, ctx.Cancel))
        {
            if (remaining <= 0) yield break;
            var b = batch;
            if (node.Filter is not null)
            {
                var rows = ExpressionEvaluator.Select(node.Filter, b);
                if (rows.Length == 0) continue;
                if (rows.Length < b.Length) b = Gather.Rows(b, rows);
            }
            if (b.Length > remaining) b = b.Slice(0, (int)remaining);
            remaining -= b.Length;
            yield return b;
        }
    }
}
