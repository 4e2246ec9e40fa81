using QueryLake.Planning.Logical;

namespace QueryLake.Planning.Optimizer;

/// <summary>Bottom-up plan rewriting shared by the rules.</summary>
internal static class PlanRewriter
{
    public static LogicalPlan Up(LogicalPlan plan, Func<LogicalPlan, LogicalPlan> rewrite)
    {
        var inputs = plan.Inputs.Select(i => Up(i, rewrite)).ToList();
        var rebuilt = inputs.Count == 0 || inputs.SequenceEqual(plan.Inputs, ReferenceEqualityComparer.Instance) ? plan : plan.WithInputs(inputs);
        return rewrite(rebuilt);
    }
}
