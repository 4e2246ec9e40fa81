using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Kernels;
using QueryLake.Planning.Logical;

using QueryLake.Execution.Physical;

namespace QueryLake.Execution.Operators.Unnest;

/// <summary>Expands each row into one row per element of a list column: the other columns are gathered (row i
/// repeated once per element), the elements are the list's values in order. NULL and empty lists give no rows.</summary>
internal sealed class UnnestOperator(UnnestNode node, PhysicalOperator input) : PhysicalOperator(node, input)
{
    public override string Name => "Unnest";
    public override string Detail => node.Input.Schema.Fields[node.Column].Name;
    protected override IEnumerable<RecordBatch> Produce(QueryContext ctx) => Execute(node, input.Open(ctx), ctx);

    public static IEnumerable<RecordBatch> Execute(UnnestNode node, IEnumerable<RecordBatch> input, QueryContext ctx)
    {
        foreach (var b in input)
        {
            ctx.Cancel.ThrowIfCancellationRequested();
            var lists = b.Columns[node.Column];
            var rows = new List<int>();
            var elements = new List<int>();
            ArrowArray values;
            switch (lists)
            {
                case ListArray l:
                    values = l.Values;
                    for (int i = 0; i < b.Length; i++)
                        if (!l.IsNull(i))
                            for (int k = l.GetValueOffset(i), end = k + l.GetValueLength(i); k < end; k++) { rows.Add(i); elements.Add(k); }
                    break;
                case FixedSizeListArray f:
                    values = f.Values;
                    for (int i = 0; i < b.Length; i++)
                        if (!f.IsNull(i))
                            for (int k = (f.Data.Offset + i) * f.ListSize, end = k + f.ListSize; k < end; k++) { rows.Add(i); elements.Add(k); }
                    break;
                default: throw new InvalidOperationException($"unnest over {lists.Type}");
            }
            if (rows.Count == 0) continue;
            ctx.Reserve(8L * rows.Count * b.Columns.Count, "unnest");
            var picks = rows.ToArray();
            var columns = new ArrowArray[b.Columns.Count];
            for (int c = 0; c < columns.Length; c++)
                columns[c] = c == node.Column
                    ? Gather.Rows(values, elements.ToArray())
                    : Gather.Rows(b.Columns[c], picks);
            yield return new RecordBatch(node.Schema, columns, picks.Length);
        }
    }
}
