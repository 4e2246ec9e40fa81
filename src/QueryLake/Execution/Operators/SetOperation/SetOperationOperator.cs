using QueryLake.Columnar;
using QueryLake.Kernels;
using QueryLake.Planning.Logical;

using QueryLake.Execution.Physical;

namespace QueryLake.Execution.Operators.SetOperation;

/// <summary>UNION [ALL], INTERSECT [ALL] and EXCEPT [ALL] with SQL's multiset semantics (NULLs compare equal).</summary>
/// <remarks>UNION ALL streams both sides. UNION is DISTINCT over both sides, and EXCEPT is DISTINCT over the left rows
/// the right side does not hold, so both spill as DISTINCT does. The others count the right side's rows in a hash table
/// and stream the left side against it (INTERSECT ALL and EXCEPT ALL use up a right occurrence per left row they take
/// or cancel). A right side whose table is over the memory limit sends both sides to spill partitions by the hash of
/// the whole row (equal rows share a partition), and each pair of partitions is processed alone, split again up to
/// <see cref="MaxSpillLevel"/> levels.</remarks>
internal sealed class SetOperationOperator(SetOperationNode node, PhysicalOperator left, PhysicalOperator right) : PhysicalOperator(node, left, right)
{
    public override string Name => node.Op switch { "UNION" => "Union", "INTERSECT" => "HashIntersect", _ => "HashExcept" };

    public override string Detail => node.Op == "UNION"
        ? node.All ? "all" : "distinct, partitions past memory_limit"
        : $"{(node.All ? "all" : "distinct")}, counts the right side, partitions past memory_limit";

    protected override IEnumerable<RecordBatch> Produce(QueryContext ctx) => Execute(node, left.Open(ctx), right.Open(ctx), ctx);

    /// <summary>How deep partitions are split again when the right side of one is still over the limit.</summary>
    public const int MaxSpillLevel = 4;

    public static IEnumerable<RecordBatch> Execute(SetOperationNode node, IEnumerable<RecordBatch> left, IEnumerable<RecordBatch> right, QueryContext ctx)
    {
        var both = Renamed(left, node.Schema).Concat(Renamed(right, node.Schema));
        if (node.Op == "UNION") return node.All ? both : Distinct.DistinctOperator.Distinct(both, ctx);
        return Execute(node, Renamed(left, node.Schema), Renamed(right, node.Schema), ctx, level: 0);
    }

    private static IEnumerable<RecordBatch> Execute(SetOperationNode node, IEnumerable<RecordBatch> left, IEnumerable<RecordBatch> right, QueryContext ctx, int level)
    {
        // Each distinct right row in the table costs its boxed values and the entry: about 64 bytes and 32 per column;
        // the right batches are kept while the table is built, in case it does not fit and they must be partitioned.
        long perKey = 64 + 32L * node.Schema.Fields.Count;
        string holder = $"{node.Op}{(node.All ? " ALL" : "")}";
        var rightCounts = new Dictionary<RowKey, long>();
        var rightBatches = new List<RecordBatch>();
        var dictionaries = QueryContext.Dictionaries();
        long held = 0, batchBytes = 0;
        using var rightRows = right.GetEnumerator();
        bool spill = false;
        try
        {
            while (rightRows.MoveNext())
            {
                var b = rightRows.Current;
                ctx.Cancel.ThrowIfCancellationRequested();
                if (b.Length == 0) continue;
                rightBatches.Add(b);
                int before = rightCounts.Count;
                for (int r = 0; r < b.Length; r++)
                {
                    var k = RowKey.Of(b.Columns, r);
                    rightCounts[k] = rightCounts.GetValueOrDefault(k) + 1;
                }
                long size = QueryContext.SizeOf(b, dictionaries), bytes = size + perKey * (rightCounts.Count - before);
                if (!ctx.TryReserve(bytes))
                {
                    if (level >= MaxSpillLevel) ctx.Reserve(bytes, holder); // fails
                    spill = true;
                    break;
                }
                held += bytes;
                batchBytes += size;
            }
            if (spill)
            {
                rightCounts.Clear();
                ctx.Release(held);
                held = 0;
                var rightParts = Spill.SpillPartitions.ByValues(ctx, $"setop-right-{level}", Spill.SpillPartitions.Drain(rightBatches, rightRows), level, b => b.Columns);
                var leftParts = Spill.SpillPartitions.ByValues(ctx, $"setop-left-{level}", left, level, b => b.Columns);
                for (int p = 0; p < Spill.SpillPartitions.Count; p++)
                {
                    if (leftParts[p] is null) continue; // no left rows: nothing to intersect or subtract from
                    IEnumerable<RecordBatch> Side(string? file) => file is null ? [] : Spill.SpillFile.Read(file);
                    foreach (var o in Execute(node, Renamed(Side(leftParts[p]), node.Schema), Renamed(Side(rightParts[p]), node.Schema), ctx, level + 1))
                        yield return o;
                }
                yield break;
            }
            // The table is built: the right rows themselves are no longer needed.
            rightBatches.Clear();
            ctx.Release(batchBytes);
            held -= batchBytes;
            if (node is { Op: "EXCEPT", All: false })
            {
                foreach (var b in Distinct.DistinctOperator.Distinct(Kept(left, ctx, (k, _) => !rightCounts.ContainsKey(k)), ctx)) yield return b;
                yield break;
            }
            // INTERSECT takes a left row while its value's count lasts (set to 0 after the first without ALL); EXCEPT ALL
            // cancels a left row against each right occurrence and takes the rest.
            bool intersect = node.Op == "INTERSECT";
            foreach (var b in Kept(left, ctx, (k, _) =>
            {
                long inRight = rightCounts.GetValueOrDefault(k);
                if (inRight > 0) rightCounts[k] = node.All ? inRight - 1 : 0;
                return intersect ? inRight > 0 : inRight == 0;
            }))
                yield return b;
        }
        finally { ctx.Release(held); }
    }

    /// <summary>The rows of each batch that <paramref name="take"/> keeps, in order, on this thread.</summary>
    private static IEnumerable<RecordBatch> Kept(IEnumerable<RecordBatch> batches, QueryContext ctx, Func<RowKey, int, bool> take)
    {
        foreach (var b in batches)
        {
            ctx.Cancel.ThrowIfCancellationRequested();
            var keep = new List<int>();
            for (int r = 0; r < b.Length; r++)
                if (take(RowKey.Of(b.Columns, r), r)) keep.Add(r);
            if (keep.Count == b.Length && b.Length > 0) yield return b;
            else if (keep.Count > 0) yield return Gather.Rows(b, keep.ToArray());
        }
    }

    private static IEnumerable<RecordBatch> Renamed(IEnumerable<RecordBatch> batches, Schema schema) =>
        batches.Select(b => new RecordBatch(schema, b.Columns, b.Length));
}
