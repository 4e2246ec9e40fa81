using QueryLake.Planning.Logical;

namespace QueryLake.Planning.Optimizer.Rules;

/// <summary>ORDER BY … LIMIT k becomes a top-k, which keeps only k rows instead of sorting everything.</summary>
internal sealed class SortLimitToTopK : IOptimizerRule
{
    public string Name => "top_k";

    public LogicalPlan Apply(LogicalPlan plan) => PlanRewriter.Up(plan, p => p switch
    {
        LimitNode { Limit: { } k, Input: SortNode s } l => new TopKNode(s.Input, s.Keys, k, l.Offset),
        LimitNode { Limit: { } k, Input: ProjectNode { Input: SortNode s } pr } l => pr with { Input = new TopKNode(s.Input, s.Keys, k, l.Offset) },
        _ => p,
    });
}
