using QueryLake.Columnar;
using QueryLake.Kernels;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution.Operators.Sort;

/// <summary>Sorts all input rows by the keys (stable; NULLS FIRST/LAST as asked) and outputs them in batches.</summary>
internal static class SortOperator
{
    public const int OutputBatchRows = 1 << 16;

    public static IEnumerable<RecordBatch> Execute(SortNode node, IEnumerable<RecordBatch> input, QueryContext ctx)
    {
        var batches = new List<RecordBatch>();
        foreach (var b in input)
        {
            if (b.Length == 0) continue;
            ctx.Reserve(QueryContext.SizeOf(b), "sort");
            batches.Add(b);
        }
        var order = SortedOrder(batches, node.Keys, ctx);
        return Emit(node.Schema, batches, order, 0, order.Length);
    }

    /// <summary>Global row order: (batch, row) picks in key order; ties keep input order.</summary>
    public static Gather.Pick[] SortedOrder(List<RecordBatch> batches, IReadOnlyList<SortKey> keys, QueryContext ctx)
    {
        var order = new RowOrder(keys);
        var picks = new List<Gather.Pick>();
        for (int b = 0; b < batches.Count; b++)
        {
            order.AddSource(batches[b]);
            for (int r = 0; r < batches[b].Length; r++) picks.Add(new Gather.Pick(b, r));
        }
        ctx.Cancel.ThrowIfCancellationRequested();
        var array = picks.ToArray();
        Array.Sort(array, order);
        return array;
    }

    public static IEnumerable<RecordBatch> Emit(Schema schema, List<RecordBatch> batches, Gather.Pick[] order, int start, int count)
    {
        for (int at = start; at < start + count; at += OutputBatchRows)
        {
            int n = Math.Min(OutputBatchRows, start + count - at);
            var picks = order.AsSpan(at, n).ToArray();
            var columns = schema.Fields.Select((f, c) => Gather.Rows(f.DataType, batches.Select(b => b.Columns[c]).ToList(), picks)).ToArray();
            yield return new RecordBatch(schema, columns, n);
        }
    }
}
