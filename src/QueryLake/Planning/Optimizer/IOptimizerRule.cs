using QueryLake.Planning.Logical;

namespace QueryLake.Planning.Optimizer;

/// <summary>One rewrite of a logical plan. Rules are listed, in order, in <see cref="LogicalOptimizer.Rules"/>.</summary>
internal interface IOptimizerRule
{
    /// <summary>The rule's name, as SET and EXPLAIN refer to it.</summary>
    string Name { get; }

    LogicalPlan Apply(LogicalPlan plan);
}
