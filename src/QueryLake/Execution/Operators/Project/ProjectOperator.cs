using QueryLake.Columnar;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution.Operators.Project;

/// <summary>Computes the output columns of each batch, several batches at once.</summary>
internal static class ProjectOperator
{
    public static IEnumerable<RecordBatch> Execute(ProjectNode node, IEnumerable<RecordBatch> input, QueryContext ctx)
    {
        var schema = node.Schema;
        return Parallel.OrderedMap(input, b => new RecordBatch(schema, node.Exprs.Select(e => ExpressionEvaluator.Evaluate(e, b)).ToArray(), b.Length),
            ctx.Threads, ctx.Cancel);
    }
}
