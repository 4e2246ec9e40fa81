using QueryLake.Columnar;
using QueryLake.Kernels;
using QueryLake.Planning.Logical;

using QueryLake.Execution.Physical;

namespace QueryLake.Execution.Operators.SetOperation;

/// <summary>UNION [ALL], INTERSECT [ALL] and EXCEPT [ALL] with SQL's multiset semantics (NULLs compare equal).</summary>
internal sealed class SetOperationOperator(SetOperationNode node, PhysicalOperator left, PhysicalOperator right) : PhysicalOperator(node, left, right)
{
    public override string Name => node.Op switch { "UNION" => "Union", "INTERSECT" => "HashIntersect", _ => "HashExcept" };
    public override string Detail => node.Op == "UNION" && node.All ? "all" : node.All ? "all (counted)" : "distinct";
    protected override IEnumerable<RecordBatch> Produce(QueryContext ctx) => Execute(node, left.Open(ctx), right.Open(ctx), ctx);

    public static IEnumerable<RecordBatch> Execute(SetOperationNode node, IEnumerable<RecordBatch> left, IEnumerable<RecordBatch> right, QueryContext ctx)
    {
        if (node.Op == "UNION" && node.All)
        {
            foreach (var b in left) yield return Rename(b, node.Schema);
            foreach (var b in right) yield return Rename(b, node.Schema);
            yield break;
        }
        var rightCounts = new Dictionary<RowKey, long>();
        var rightBatches = new List<RecordBatch>();
        // Each distinct row kept in a table costs its boxed values and the entry: about 64 bytes and 32 per column.
        long perKey = 64 + 32L * node.Schema.Fields.Count;
        string holder = $"{node.Op}{(node.All ? " ALL" : "")}";
        foreach (var b in right)
        {
            ctx.Cancel.ThrowIfCancellationRequested();
            if (node.Op == "UNION") ctx.Reserve(QueryContext.SizeOf(b), holder);
            rightBatches.Add(b);
            int before = rightCounts.Count;
            for (int r = 0; r < b.Length; r++)
            {
                var k = RowKey.Of(b.Columns, r);
                rightCounts[k] = rightCounts.GetValueOrDefault(k) + 1;
            }
            ctx.Reserve(perKey * (rightCounts.Count - before), holder);
        }
        var emitted = new Dictionary<RowKey, long>();
        IEnumerable<RecordBatch> Side(IEnumerable<RecordBatch> batches)
        {
            foreach (var b in batches)
            {
                ctx.Cancel.ThrowIfCancellationRequested();
                var keep = new List<int>();
                for (int r = 0; r < b.Length; r++)
                {
                    var k = RowKey.Of(b.Columns, r);
                    long seen = emitted.GetValueOrDefault(k);
                    long inRight = rightCounts.GetValueOrDefault(k);
                    bool take;
                    switch (node.Op)
                    {
                        case "UNION": take = seen == 0; break;
                        case "INTERSECT": take = node.All ? seen < inRight : seen == 0 && inRight > 0; break;
                        default: // EXCEPT: with ALL, each right occurrence cancels one left occurrence
                            if (!node.All) take = seen == 0 && inRight == 0;
                            else if (inRight > 0) { rightCounts[k] = inRight - 1; take = false; }
                            else take = true;
                            break;
                    }
                    if (take) { keep.Add(r); emitted[k] = seen + 1; }
                }
                ctx.Reserve(perKey * keep.Count, holder);
                if (keep.Count > 0) yield return Rename(Gather.Rows(b, keep.ToArray()), node.Schema);
            }
        }
        foreach (var b in Side(left)) yield return b;
        if (node.Op == "UNION")
            foreach (var b in Side(rightBatches)) yield return b;
    }

    private static RecordBatch Rename(RecordBatch b, Schema schema) => new(schema, b.Columns, b.Length);
}
