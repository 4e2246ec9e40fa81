using QueryLake.Execution.Operators.Write;
using QueryLake.Planning.Expressions;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution.Physical.Rules;

/// <summary>A streamed COPY straight from a scan (or from a projection that only picks and renames the scan's columns,
/// as <c>SELECT *</c> does) reads the scan's batches lent (pooled buffers, views of the file cache) and releases each
/// once the file writer has taken it: the writers copy what they keep (Parquet's column accumulators, the content hash)
/// or write it out at once (Arrow IPC, CSV, JSON). Decoded row groups then reuse a few pooled buffers instead of
/// allocating a large array per column per row group, which kept the collector busy with full collections. The
/// picked columns are taken from each batch by the COPY itself, without a copy. A shuffled COPY holds its rows and
/// reads owned batches. Off: owned batches and the plain projection.</summary>
internal sealed class LentCopyInput : IPhysicalRule
{
    /// <summary>The rule's name.</summary>
    public const string RuleName = "lent_copy_input";

    public string Name => RuleName;

    public PhysicalOperator? TryPlan(LogicalPlan node, PhysicalPlanner planner)
    {
        if (node is not CopyNode { KeepsNothing: true } copy) return null;
        var (scan, columns) = copy.Input switch
        {
            ScanNode s => (s, null),
            ProjectNode { Input: ScanNode s } p when p.Exprs.All(e => e is ColumnRef) => (s, p.Exprs.Select(e => ((ColumnRef)e).Index).ToArray()),
            _ => ((ScanNode?)null, (int[]?)null),
        };
        if (scan is null) return null;
        var input = planner.BuildLent(scan, out bool lent);
        return lent ? new CopyOperator(copy, input, lent, columns) : null;
    }
}
