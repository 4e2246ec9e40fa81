using QueryLake.Columnar;
using QueryLake.Execution.Spill;
using QueryLake.Kernels;
using QueryLake.Planning.Logical;

using QueryLake.Execution.Physical;

namespace QueryLake.Execution.Operators.Sort;

/// <summary>
/// Sorts all input rows by the keys (stable; NULLS FIRST/LAST as asked) and outputs them in batches. Input that does
/// not fit under the memory limit is sorted externally: each time the rows held would pass the limit they are sorted
/// and written to a spill file as a run, and the runs are then merged (<see cref="RunMerge"/>), reading one batch of
/// each at a time.
/// </summary>
internal sealed class SortOperator(SortNode node, PhysicalOperator input) : PhysicalOperator(node, input)
{
    public override string Name => "Sort";
    public override string Detail => $"{List(node.Keys)}, sorted runs to disk past memory_limit";
    protected override IEnumerable<RecordBatch> Produce(QueryContext ctx) => Execute(node, input.Open(ctx), ctx);

    public const int OutputBatchRows = 1 << 16;

    public static IEnumerable<RecordBatch> Execute(SortNode node, IEnumerable<RecordBatch> input, QueryContext ctx)
    {
        var batches = new List<RecordBatch>();
        var dictionaries = QueryContext.Dictionaries();
        var runs = new List<string>();
        long held = 0;
        try
        {
            foreach (var b in input)
            {
                if (b.Length == 0) continue;
                // The batch, and the sort's pick (8 bytes) per row.
                long size = QueryContext.SizeOf(b, dictionaries) + 8L * b.Length;
                if (!ctx.TryReserve(size))
                {
                    if (batches.Count > 0)
                    {
                        runs.Add(SpillRun(node, batches, ctx));
                        batches.Clear();
                        ctx.Release(held);
                        held = 0;
                    }
                    if (!ctx.TryReserve(size))
                    {
                        // One batch alone is over what is left: it is in memory already, so sort it into a run of its own.
                        runs.Add(SpillRun(node, [b], ctx));
                        continue;
                    }
                }
                held += size;
                batches.Add(b);
            }
            if (runs.Count == 0)
            {
                var order = SortedOrder(batches, node.Keys, ctx);
                foreach (var b in Emit(node.Schema, batches, order, 0, order.Length)) yield return b;
                yield break;
            }
            if (batches.Count > 0) runs.Add(SpillRun(node, batches, ctx));
            batches.Clear();
            ctx.Release(held);
            held = 0;
            foreach (var b in RunMerge.Merge(node.Schema, node.Keys, runs, ctx)) yield return b;
        }
        finally { ctx.Release(held); }
    }

    /// <summary>Sorts the rows held and writes them to a spill file: one sorted run.</summary>
    private static string SpillRun(SortNode node, List<RecordBatch> batches, QueryContext ctx)
    {
        var order = SortedOrder(batches, node.Keys, ctx);
        return SpillFile.Write(ctx, "sort-run", node.Schema, Emit(node.Schema, batches, order, 0, order.Length));
    }

    /// <summary>Global row order: (batch, row) picks in key order; ties keep input order. Picks are sorted with their
    /// first key's prefix beside them (<see cref="RowOrder.Prefix"/>), so most comparisons touch no key column.</summary>
    public static Gather.Pick[] SortedOrder(List<RecordBatch> batches, IReadOnlyList<SortKey> keys, QueryContext ctx)
    {
        var order = new RowOrder(keys);
        foreach (var b in batches) order.AddSource(b);
        ctx.Cancel.ThrowIfCancellationRequested();
        var picks = new Gather.Pick[batches.Sum(b => b.Length)];
        int at = 0;
        for (int b = 0; b < batches.Count; b++)
            for (int r = 0; r < batches[b].Length; r++) picks[at++] = new Gather.Pick(b, r);
        if (!order.HasPrefixes)
        {
            Array.Sort(picks, order);
            return picks;
        }
        var keyed = new Keyed[picks.Length];
        for (int i = 0; i < picks.Length; i++) keyed[i] = new Keyed(order.Prefix(picks[i]), picks[i]);
        ctx.Cancel.ThrowIfCancellationRequested();
        Array.Sort(keyed, new PrefixOrder(order));
        for (int i = 0; i < picks.Length; i++) picks[i] = keyed[i].Pick;
        return picks;
    }

    private readonly record struct Keyed(ulong Prefix, Gather.Pick Pick);

    private sealed class PrefixOrder(RowOrder order) : IComparer<Keyed>
    {
        public int Compare(Keyed x, Keyed y) => x.Prefix != y.Prefix ? x.Prefix.CompareTo(y.Prefix) : order.Compare(x.Pick, y.Pick);
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
