using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
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

    /// <summary>Global row order: (batch, row) picks in key order.</summary>
    public static Gather.Pick[] SortedOrder(List<RecordBatch> batches, IReadOnlyList<SortKey> keys, QueryContext ctx)
    {
        var keyColumns = keys.Select(k => batches.Select(b => ExpressionEvaluator.Evaluate(k.Expr, b)).ToArray()).ToArray();
        var picks = new List<Gather.Pick>();
        for (int b = 0; b < batches.Count; b++)
            for (int r = 0; r < batches[b].Length; r++) picks.Add(new Gather.Pick(b, r));
        var cmp = RowComparer(keys, keyColumns);
        var array = picks.ToArray();
        ctx.Cancel.ThrowIfCancellationRequested();
        // Stable: ties keep input order.
        var indexed = array.Select((p, i) => (p, i)).ToArray();
        Array.Sort(indexed, (x, y) => cmp(x.p, y.p) is var c and not 0 ? c : x.i.CompareTo(y.i));
        return indexed.Select(x => x.p).ToArray();
    }

    public static Comparison<Gather.Pick> RowComparer(IReadOnlyList<SortKey> keys, ArrowArray[][] keyColumns)
    {
        var comparers = keys.Select((k, i) =>
        {
            var cols = keyColumns[i];
            var per = new Dictionary<(int, int), Func<int, int, int>>();
            return (Func<Gather.Pick, Gather.Pick, int>)((x, y) =>
            {
                var a = cols[x.Source];
                var b = cols[y.Source];
                bool an = a.IsNull(x.Row), bn = b.IsNull(y.Row);
                if (an || bn) return an == bn ? 0 : (an ? -1 : 1) * (k.NullsFirst ? 1 : -1);
                if (!per.TryGetValue((x.Source, y.Source), out var f)) per[(x.Source, y.Source)] = f = Comparer.For(a, b);
                int c = f(x.Row, y.Row);
                return k.Descending ? -c : c;
            });
        }).ToArray();
        return (x, y) =>
        {
            foreach (var c in comparers)
            {
                int r = c(x, y);
                if (r != 0) return r;
            }
            return 0;
        };
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
