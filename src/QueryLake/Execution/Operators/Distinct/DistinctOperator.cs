using QueryLake.Columnar;
using QueryLake.Kernels;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution.Operators.Distinct;

/// <summary>Passes each distinct row once, in order of first appearance.</summary>
internal static class DistinctOperator
{
    public static IEnumerable<RecordBatch> Execute(DistinctNode node, IEnumerable<RecordBatch> input, QueryContext ctx)
    {
        var seen = new HashSet<RowKey>();
        foreach (var b in input)
        {
            ctx.Cancel.ThrowIfCancellationRequested();
            var keep = new List<int>();
            for (int r = 0; r < b.Length; r++) if (seen.Add(RowKey.Of(b.Columns, r))) keep.Add(r);
            ctx.Reserve(64L * keep.Count * b.Columns.Count, "DISTINCT");
            if (keep.Count == b.Length) yield return b;
            else if (keep.Count > 0) yield return Gather.Rows(b, keep.ToArray());
        }
    }
}
