using QueryLake.Execution.Operators.HashAggregate;
using QueryLake.Execution.Operators.Project;
using QueryLake.Planning.Expressions;
using QueryLake.Planning.Logical;

namespace QueryLake.Execution.Physical.Rules;

/// <summary>Under a projection or an aggregation, a join builds only the output columns they read: the others (join keys
/// nobody reads above the join, typically) stand as unread NULL placeholders and cost nothing to emit. Off: the join
/// builds every column.</summary>
internal sealed class JoinOutputPruning : IPhysicalRule
{
    public string Name => "join_output_pruning";

    public PhysicalOperator? TryPlan(LogicalPlan node, PhysicalPlanner planner) => node switch
    {
        ProjectNode { Input: JoinNode j } p => new ProjectOperator(p, planner.Join(j, Reads(p.Exprs))),
        AggregateNode { Input: JoinNode j } a => new HashAggregateOperator(a, planner.Join(j, Reads(a.Groups.Concat(a.Aggregates.SelectMany(x => x.Arguments))))),
        _ => null,
    };

    private static HashSet<int> Reads(IEnumerable<BoundExpr> exprs) => exprs.SelectMany(ExpressionRewriter.Columns).ToHashSet();
}
