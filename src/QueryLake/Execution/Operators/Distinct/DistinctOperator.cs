using QueryLake.Columnar;
using QueryLake.Execution.Spill;
using QueryLake.Kernels;
using QueryLake.Planning.Logical;

using QueryLake.Execution.Physical;

namespace QueryLake.Execution.Operators.Distinct;

/// <summary>Passes each distinct row once, in order of first appearance. Over the memory limit it spills: the rows
/// seen so far stay known (a repeat of one is dropped), and rows never seen go to one of
/// the <see cref="SpillPartitions"/> by their hash; once the input ends, each partition is made distinct the
/// same way (a row in it is in no other partition and was never passed on). Rows from partitions come after the others.</summary>
internal sealed class DistinctOperator(DistinctNode node, PhysicalOperator input) : PhysicalOperator(node, input)
{
    public override string Name => "HashDistinct";
    public override string Detail => $"[{List(node.Schema.Fields.Select(f => f.Name))}], partitions past memory_limit";
    protected override IEnumerable<RecordBatch> Produce(QueryContext ctx) => Execute(node, input.Open(ctx), ctx);

    public const int MaxSpillLevel = 4;

    public static IEnumerable<RecordBatch> Execute(DistinctNode node, IEnumerable<RecordBatch> input, QueryContext ctx) => Distinct(input, ctx);

    /// <summary>The distinct rows of <paramref name="input"/> (NULLs equal), each first occurrence in input order while
    /// the rows seen fit under the memory limit; past it, the rows of unseen values go to spill partitions by hash,
    /// each then made distinct alone. UNION and EXCEPT use it too.</summary>
    public static IEnumerable<RecordBatch> Distinct(IEnumerable<RecordBatch> input, QueryContext ctx) => Execute(input, ctx, 0);

    private static IEnumerable<RecordBatch> Execute(IEnumerable<RecordBatch> input, QueryContext ctx, int level)
    {
        var seen = new HashSet<RowKey>();
        long held = 0;
        SpillPartitions? partitions = null;
        try
        {
            foreach (var b in input)
            {
                ctx.Cancel.ThrowIfCancellationRequested();
                var keep = new List<int>();
                if (partitions is null)
                {
                    for (int r = 0; r < b.Length; r++) if (seen.Add(RowKey.Of(b.Columns, r))) keep.Add(r);
                    long bytes = 64L * keep.Count * b.Columns.Count;
                    if (!ctx.TryReserve(bytes))
                    {
                        if (level >= MaxSpillLevel) ctx.Reserve(bytes, "DISTINCT");
                        ctx.Hold(bytes);
                        partitions = new SpillPartitions(ctx, $"distinct-{level}", b.Schema);
                    }
                    held += bytes;
                }
                else
                {
                    var unseen = new List<int>();
                    var hashes = new int[b.Length];
                    for (int r = 0; r < b.Length; r++)
                    {
                        var key = RowKey.Of(b.Columns, r);
                        if (seen.Contains(key)) continue;
                        hashes[r] = key.GetHashCode();
                        unseen.Add(r);
                    }
                    partitions.Write(b, unseen, r => SpillPartitions.Of(hashes[r], level));
                }
                if (keep.Count == b.Length) yield return b;
                else if (keep.Count > 0) yield return Gather.Rows(b, keep.ToArray());
            }
            if (partitions is null) yield break;
            seen.Clear();
            ctx.Release(held);
            held = 0;
            var files = partitions.Finish();
            foreach (var file in files)
            {
                if (file is null) continue;
                foreach (var b in Execute(SpillFile.Read(file), ctx, level + 1)) yield return b;
            }
        }
        finally
        {
            ctx.Release(held);
            partitions?.Dispose();
        }
    }
}
