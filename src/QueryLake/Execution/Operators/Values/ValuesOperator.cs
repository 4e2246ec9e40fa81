using QueryLake.Columnar;
using QueryLake.Columnar.Builders;
using QueryLake.Planning.Logical;

using QueryLake.Execution.Physical;

namespace QueryLake.Execution.Operators.Values;

/// <summary>Produces the literal rows of a VALUES list (or the single row of a FROM-less SELECT).</summary>
internal sealed class ValuesOperator(ValuesNode node) : PhysicalOperator(node)
{
    public override string Name => "Values";
    public override string Detail => node.Label()["Values: ".Length..];
    protected override IEnumerable<RecordBatch> Produce(QueryContext ctx) => Execute(node, ctx);

    private static readonly RecordBatch OneRow = new(new Schema([]), [], 1);

    public static IEnumerable<RecordBatch> Execute(ValuesNode node, QueryContext ctx)
    {
        var builders = node.Schema.Fields.Select(f => ArrayBuilder.Create(f.DataType)).ToArray();
        foreach (var row in node.Rows)
            for (int c = 0; c < builders.Length; c++)
                builders[c].AppendFrom(ExpressionEvaluator.Evaluate(row[c], OneRow), 0);
        yield return new RecordBatch(node.Schema, builders.Select(b => b.Build()).ToArray(), node.Rows.Count);
    }
}
