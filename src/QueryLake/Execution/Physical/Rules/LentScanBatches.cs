using QueryLake.Execution.Operators.HashAggregate;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution.Physical.Rules;

/// <summary>An aggregation straight over a scan reads the scan's batches lent: views of the file cache's pages or
/// pooled buffers, released once aggregated, since the aggregation keeps nothing of them (docs/parquet.md). The same
/// holds for the input of a top-k with a late projection (<see cref="LateTopKProjection"/>). Off: scans hand owned
/// batches.</summary>
internal sealed class LentScanBatches : IPhysicalRule
{
    /// <summary>The rule's name.</summary>
    public const string RuleName = "lent_scan_batches";

    public string Name => RuleName;

    public PhysicalOperator? TryPlan(LogicalPlan node, PhysicalPlanner planner)
    {
        if (node is not AggregateNode { Input: ScanNode scan } aggregate) return null;
        var input = planner.BuildLent(scan, out bool lent);
        return new HashAggregateOperator(aggregate, input, lent);
    }
}
