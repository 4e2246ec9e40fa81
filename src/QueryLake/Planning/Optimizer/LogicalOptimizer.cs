using QueryLake.Planning.Logical;
using QueryLake.Planning.Optimizer.Rules;

namespace QueryLake.Planning.Optimizer;

/// <summary>The ordered registry of optimizer rules. Each can be switched off by name (for tests and EXPLAIN).</summary>
internal static class LogicalOptimizer
{
    public static IReadOnlyList<IOptimizerRule> Rules { get; } =
    [
        new ConstantFolding(),
        new SubqueryDecorrelation(),
        new OrFactoring(),
        new JoinReorder(),
        new PredicatePushdown(),
        new SemiJoinReduction(),
        new LimitPushdown(),
        new SortLimitToTopK(),
        new ProjectionPushdown(),
        new JoinBuildSide(),
        new RuntimeJoinFilters(),
    ];

    public static LogicalPlan Optimize(LogicalPlan plan, ISet<string>? disabled = null)
    {
        foreach (var rule in Rules)
            if (disabled is null || !disabled.Contains(rule.Name)) plan = rule.Apply(plan);
        return plan;
    }
}
