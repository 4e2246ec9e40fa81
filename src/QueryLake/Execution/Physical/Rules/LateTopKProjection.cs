using QueryLake.Execution.Operators.TopK;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution.Physical.Rules;

/// <summary>TopK(Project(input)) runs as one <c>TopK</c> with a late projection: the first sort key is computed from
/// the projection's input (over a filtered scan, for the kept rows in place), each batch is narrowed to the rows that can
/// be among its best k, and only those are projected. A similarity search scores every row but builds output rows for a
/// few. Its input's batches may come lent (<see cref="LentScanBatches"/>). Off: the projection runs for every row,
/// then the top-k.</summary>
internal sealed class LateTopKProjection : IPhysicalRule
{
    public string Name => "late_topk_projection";

    public PhysicalOperator? TryPlan(LogicalPlan node, PhysicalPlanner planner)
    {
        if (node is not TopKNode { Input: ProjectNode project } topK) return null;
        var input = planner.BuildLent(project.Input, out bool lent);
        return new TopKOperator(topK, input, project, lent);
    }
}
