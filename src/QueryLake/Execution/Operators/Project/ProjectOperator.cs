using QueryLake.Columnar;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution.Operators.Project;

/// <summary>Computes the output columns of each batch.</summary>
internal static class ProjectOperator
{
    public static IEnumerable<RecordBatch> Execute(ProjectNode node, IEnumerable<RecordBatch> input, QueryContext ctx)
    {
        foreach (var b in input)
        {
            ctx.Cancel.ThrowIfCancellationRequested();
            var columns = node.Exprs.Select(e => ExpressionEvaluator.Evaluate(e, b)).ToArray();
            yield return new RecordBatch(node.Schema, columns, b.Length);
        }
    }
}
