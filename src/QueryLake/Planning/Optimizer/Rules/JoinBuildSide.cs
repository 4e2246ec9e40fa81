using QueryLake.Planning.Expressions;
using QueryLake.Planning.Logical;

namespace QueryLake.Planning.Optimizer.Rules;

/// <summary>
/// The hash join builds its table on the right input; for an inner join whose right input is estimated to be
/// larger than the left, the inputs are swapped (and a projection restores the column order).
/// </summary>
internal sealed class JoinBuildSide : IOptimizerRule
{
    public string Name => "join_build_side";

    public LogicalPlan Apply(LogicalPlan plan) => PlanRewriter.Up(plan, p =>
    {
        if (p is not JoinNode { Kind: JoinKind.Inner } j || j.Left.EstimatedRows is not { } l || j.Right.EstimatedRows is not { } r || r <= l)
            return p;
        int lw = j.Left.Schema.Fields.Count, rw = j.Right.Schema.Fields.Count;
        var condition = j.Condition is null ? null : ExpressionRewriter.RemapColumns(j.Condition, i => i < lw ? i + rw : i - lw);
        var swapped = new JoinNode(j.Right, j.Left, JoinKind.Inner, condition) { Estimate = j.Estimate };
        var exprs = Enumerable.Range(0, lw + rw).Select(i =>
        {
            int from = i < lw ? rw + i : i - lw;
            var f = swapped.Schema.Fields[from];
            return (BoundExpr)new ColumnRef(from, f.Name, f.DataType);
        }).ToList();
        return new ProjectNode(swapped, exprs, j.Schema.Fields.Select(f => f.Name).ToList());
    });
}
