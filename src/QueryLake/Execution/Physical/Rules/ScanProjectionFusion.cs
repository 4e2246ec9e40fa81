using QueryLake.Execution.Operators.Scan;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution.Physical.Rules;

/// <summary>Project(Scan with a filter, no limit) runs as one <c>TableScan</c>: per batch, the rows the filter keeps,
/// then each output expression for just those rows, read in place. Wide columns (embeddings, blobs) are never gathered
/// just to be projected or scored. Off: the scan gathers the kept rows and a <c>Projection</c> computes the outputs.</summary>
internal sealed class ScanProjectionFusion : IPhysicalRule
{
    public string Name => "scan_projection_fusion";

    public PhysicalOperator? TryPlan(LogicalPlan node, PhysicalPlanner planner) =>
        node is ProjectNode { Input: ScanNode { Filter: not null, Limit: null } scan } project ? new ScanOperator(scan, project) : null;
}
