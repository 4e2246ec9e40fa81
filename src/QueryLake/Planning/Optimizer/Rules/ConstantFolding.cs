using QueryLake.Planning.Logical;

namespace QueryLake.Planning.Optimizer.Rules;

/// <summary>Evaluates constant sub-expressions once at planning time (<c>x &gt; 1 + 1</c> becomes <c>x &gt; 2</c>),
/// and removes filters that are constantly true.</summary>
internal sealed class ConstantFolding : IOptimizerRule
{
    public string Name => "constant_folding";

    public LogicalPlan Apply(LogicalPlan plan) => PlanRewriter.Up(plan, p => p switch
    {
        FilterNode f => ConstantFolder.Fold(f.Predicate) is var pred && pred is Expressions.Literal { Value: true } ? f.Input : f with { Predicate = pred },
        ProjectNode pr => pr with { Exprs = pr.Exprs.Select(ConstantFolder.Fold).ToList() },
        ScanNode s when s.Filter is not null => s with { Filter = ConstantFolder.Fold(s.Filter) },
        _ => p,
    });
}
