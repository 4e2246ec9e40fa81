using QueryLake.Planning.Logical;

namespace QueryLake.Planning.Optimizer.Rules;

/// <summary>Evaluates constant sub-expressions once at planning time (<c>x &gt; 1 + 1</c> becomes <c>x &gt; 2</c>),
/// in every expression a plan holds (filters, projections, group keys and aggregate arguments, sort keys, join
/// conditions, window arguments), and removes filters that are constantly true. A constant left unfolded runs once per
/// row (a similarity probe written as a cast of a list literal would be rebuilt for every row).</summary>
internal sealed class ConstantFolding : IOptimizerRule
{
    public string Name => "constant_folding";

    public LogicalPlan Apply(LogicalPlan plan) => PlanRewriter.Up(plan, p => p switch
    {
        FilterNode f => ConstantFolder.Fold(f.Predicate) is var pred && pred is Expressions.Literal { Value: true } ? f.Input : f with { Predicate = pred },
        ProjectNode pr => pr with { Exprs = pr.Exprs.Select(ConstantFolder.Fold).ToList() },
        ScanNode s when s.Filter is not null => s with { Filter = ConstantFolder.Fold(s.Filter) },
        AggregateNode a => a with
        {
            Groups = a.Groups.Select(ConstantFolder.Fold).ToList(),
            Aggregates = a.Aggregates.Select(c => c with { Arguments = c.Arguments.Select(ConstantFolder.Fold).ToList() }).ToList(),
        },
        SortNode s => s with { Keys = Fold(s.Keys) },
        TopKNode t => t with { Keys = Fold(t.Keys) },
        JoinNode { Condition: not null } j => j with { Condition = ConstantFolder.Fold(j.Condition) },
        WindowNode w => w with { Calls = w.Calls.Select(c => c with { Arguments = c.Arguments.Select(ConstantFolder.Fold).ToList() }).ToList() },
        _ => p,
    });

    private static List<SortKey> Fold(IReadOnlyList<SortKey> keys) => keys.Select(k => k with { Expr = ConstantFolder.Fold(k.Expr) }).ToList();
}
