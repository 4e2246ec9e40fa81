using QueryLake.Planning.Expressions;
using QueryLake.Planning.Logical;

namespace QueryLake.Planning.Optimizer.Rules;

/// <summary>
/// The hash join builds its table on the right input; for an inner, left or right join whose right input is estimated
/// to be larger than the left, the inputs are swapped (a left join becoming a right join and the other way round; a
/// projection restores the column order). A left join of 150,000 customers with 1.5 million orders then builds the
/// customers and marks those the orders find, instead of building the orders.
/// </summary>
internal sealed class JoinBuildSide : IOptimizerRule
{
    public string Name => "join_build_side";

    public LogicalPlan Apply(LogicalPlan plan) => PlanRewriter.Up(plan, p =>
    {
        if (p is not JoinNode { Kind: JoinKind.Inner or JoinKind.Left or JoinKind.Right } j || j.Left.EstimatedRows is not { } l || j.Right.EstimatedRows is not { } r || r <= l)
            return p;
        var kind = j.Kind switch { JoinKind.Left => JoinKind.Right, JoinKind.Right => JoinKind.Left, var k => k };
        int lw = j.Left.Schema.Fields.Count, rw = j.Right.Schema.Fields.Count;
        var condition = j.Condition is null ? null : ExpressionRewriter.RemapColumns(j.Condition, i => i < lw ? i + rw : i - lw);
        var swapped = new JoinNode(j.Right, j.Left, kind, condition) { Estimate = j.Estimate };
        var exprs = Enumerable.Range(0, lw + rw).Select(i =>
        {
            int from = i < lw ? rw + i : i - lw;
            var f = swapped.Schema.Fields[from];
            return (BoundExpr)new ColumnRef(from, f.Name, f.DataType);
        }).ToList();
        return new ProjectNode(swapped, exprs, j.Schema.Fields.Select(f => f.Name).ToList());
    });
}
