using QueryLake.Planning.Logical;

namespace QueryLake.Planning.Optimizer.Rules;

/// <summary>Pushes LIMIT (plus OFFSET) into a scan below row-preserving projections, so the scan stops early.</summary>
internal sealed class LimitPushdown : IOptimizerRule
{
    public string Name => "limit_pushdown";

    public LogicalPlan Apply(LogicalPlan plan) => PlanRewriter.Up(plan, p =>
    {
        if (p is not LimitNode { Limit: { } limit } l) return p;
        long needed = limit + l.Offset;
        return l with { Input = Push(l.Input, needed) };
    });

    private static LogicalPlan Push(LogicalPlan plan, long needed) => plan switch
    {
        ScanNode s => s with { Limit = s.Limit is { } existing ? Math.Min(existing, needed) : needed },
        ProjectNode p => p with { Input = Push(p.Input, needed) },
        _ => plan,
    };
}
