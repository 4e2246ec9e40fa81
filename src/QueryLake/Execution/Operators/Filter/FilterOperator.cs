using QueryLake.Columnar;
using QueryLake.Kernels;
using QueryLake.Planning.Logical;

using QueryLake.Execution.Physical;

namespace QueryLake.Execution.Operators.Filter;

/// <summary>Keeps the rows where the predicate is true (NULL is not true).</summary>
internal sealed class FilterOperator(FilterNode node, PhysicalOperator input) : PhysicalOperator(node, input)
{
    public override string Name => "Filter";
    public override string Detail => node.Predicate.ToString()!;
    protected override IEnumerable<RecordBatch> Produce(QueryContext ctx) => Execute(node, input.Open(ctx), ctx);

    public static IEnumerable<RecordBatch> Execute(FilterNode node, IEnumerable<RecordBatch> input, QueryContext ctx)
    {
        var filtered = Parallel.OrderedMap(input, b =>
        {
            var rows = ExpressionEvaluator.Select(node.Predicate, b);
            return rows.Length == b.Length ? b : rows.Length == 0 ? null : Gather.Rows(b, rows);
        }, ctx.Threads, ctx.Cancel);
        foreach (var b in filtered)
            if (b is not null) yield return b;
    }
}
