using QueryLake.Columnar;
using QueryLake.Planning.Logical;

using QueryLake.Execution.Physical;

namespace QueryLake.Execution.Operators.Limit;

/// <summary>Skips OFFSET rows, passes LIMIT rows, and stops pulling input once done.</summary>
internal sealed class LimitOperator(LimitNode node, PhysicalOperator input) : PhysicalOperator(node, input)
{
    public override string Name => "Limit";
    public override string Detail => node.Label()["Limit: ".Length..];
    protected override IEnumerable<RecordBatch> Produce(QueryContext ctx) => Execute(node, input.Open(ctx), ctx);

    public static IEnumerable<RecordBatch> Execute(LimitNode node, IEnumerable<RecordBatch> input, QueryContext ctx)
    {
        long skip = node.Offset, remaining = node.Limit ?? long.MaxValue;
        if (remaining == 0) yield break;
        foreach (var b in input)
        {
            var batch = b;
            if (skip > 0)
            {
                if (skip >= batch.Length) { skip -= batch.Length; continue; }
                batch = batch.Slice((int)skip, batch.Length - (int)skip);
                skip = 0;
            }
            if (batch.Length > remaining) batch = batch.Slice(0, (int)remaining);
            remaining -= batch.Length;
            yield return batch;
            if (remaining == 0) yield break;
        }
    }
}
