using QueryLake.Columnar;
using QueryLake.Kernels;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution.Operators.Filter;

/// <summary>Keeps the rows where the predicate is true (NULL is not true).</summary>
internal static class FilterOperator
{
    public static IEnumerable<RecordBatch> Execute(FilterNode node, IEnumerable<RecordBatch> input, QueryContext ctx)
    {
        foreach (var b in input)
        {
            ctx.Cancel.ThrowIfCancellationRequested();
            var rows = ExpressionEvaluator.Select(node.Predicate, b);
            if (rows.Length == b.Length) yield return b;
            else if (rows.Length > 0) yield return Gather.Rows(b, rows);
        }
    }
}
