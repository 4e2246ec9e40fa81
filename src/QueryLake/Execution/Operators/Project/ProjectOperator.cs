using QueryLake.Columnar;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution.Operators.Project;

/// <summary>Computes the output columns of each batch, several batches at once.</summary>
internal static class ProjectOperator
{
    public static IEnumerable<RecordBatch> Execute(ProjectNode node, IEnumerable<RecordBatch> input, QueryContext ctx)
    {
        return Parallel.OrderedMap(input, b => Project(node, b, null), ctx.Threads, ctx.Cancel);
    }

    /// <summary>The projection of one batch, or of the given rows of it (read in place where the expressions can,
    /// <see cref="ExpressionEvaluator.EvaluateSelected"/>).</summary>
    public static RecordBatch Project(ProjectNode node, RecordBatch batch, int[]? rows) => rows is null
        ? new RecordBatch(node.Schema, node.Exprs.Select(e => ExpressionEvaluator.Evaluate(e, batch)).ToArray(), batch.Length)
        : new RecordBatch(node.Schema, node.Exprs.Select(e => ExpressionEvaluator.EvaluateSelected(e, batch, rows)).ToArray(), rows.Length);
}
