using QueryLake.Columnar;
using QueryLake.Planning.Logical;

using QueryLake.Execution.Physical;

namespace QueryLake.Execution.Operators.Project;

/// <summary>Computes the output columns of each batch, several batches at once.</summary>
internal sealed class ProjectOperator(ProjectNode node, PhysicalOperator input) : PhysicalOperator(node, input)
{
    public override string Name => "Projection";
    public override string Detail => Columns(node);
    protected override IEnumerable<RecordBatch> Produce(QueryContext ctx) => Execute(node, input.Open(ctx), ctx);

    /// <summary>A projection's output expressions as EXPLAIN shows them.</summary>
    public static string Columns(ProjectNode node) => List(node.Exprs.Zip(node.Names, (e, n) => e is Planning.Expressions.ColumnRef c && c.Name == n ? n : $"{e} AS {n}"));

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
