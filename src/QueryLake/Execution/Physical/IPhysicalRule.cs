using QueryLake.Planning.Logical;

namespace QueryLake.Execution.Physical;

/// <summary>One choice of the physical planner that fuses logical nodes into a faster operator, or picks a faster way to
/// run one. Each can be switched off by name (<c>SET disabled_optimizers</c>), like the optimizer's rules, and then the
/// plain operators run instead with the same result. Rules are listed, in order, in <see cref="PhysicalPlanner.Rules"/>.</summary>
internal interface IPhysicalRule
{
    /// <summary>The rule's name, as SET and the tests refer to it.</summary>
    string Name { get; }

    /// <summary>The operator for <paramref name="node"/> if the rule applies to it (its inputs planned through
    /// <paramref name="planner"/>), else null.</summary>
    PhysicalOperator? TryPlan(LogicalPlan node, PhysicalPlanner planner);
}
