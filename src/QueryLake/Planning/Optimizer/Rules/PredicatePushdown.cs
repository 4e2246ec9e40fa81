using QueryLake.Planning.Expressions;
using QueryLake.Planning.Logical;

namespace QueryLake.Planning.Optimizer.Rules;

/// <summary>
/// Moves filters down: into scans (where fragment statistics can then skip whole fragments), and through
/// inner joins to the side whose columns they read.
/// </summary>
internal sealed class PredicatePushdown : IOptimizerRule
{
    public string Name => "predicate_pushdown";

    public LogicalPlan Apply(LogicalPlan plan) => Push(plan);

    private static LogicalPlan Push(LogicalPlan plan)
    {
        if (plan is FilterNode f)
        {
            var input = Push(f.Input);
            switch (input)
            {
                case ScanNode s:
                    return s with { Filter = s.Filter is null ? f.Predicate : ExpressionRewriter.And(s.Filter, f.Predicate) };
                case JoinNode { Kind: JoinKind.Inner or JoinKind.Cross } j:
                {
                    int leftWidth = j.Left.Schema.Fields.Count;
                    var toLeft = new List<BoundExpr>();
                    var toRight = new List<BoundExpr>();
                    var keep = new List<BoundExpr>();
                    foreach (var c in ExpressionRewriter.Conjuncts(f.Predicate))
                    {
                        var cols = ExpressionRewriter.Columns(c).ToList();
                        if (cols.Count > 0 && cols.All(i => i < leftWidth)) toLeft.Add(c);
                        else if (cols.Count > 0 && cols.All(i => i >= leftWidth)) toRight.Add(ExpressionRewriter.RemapColumns(c, i => i - leftWidth));
                        else keep.Add(c);
                    }
                    if (toLeft.Count == 0 && toRight.Count == 0) return f with { Input = input };
                    var left = toLeft.Count == 0 ? j.Left : Push(new FilterNode(j.Left, toLeft.Aggregate(ExpressionRewriter.And)));
                    var right = toRight.Count == 0 ? j.Right : Push(new FilterNode(j.Right, toRight.Aggregate(ExpressionRewriter.And)));
                    LogicalPlan joined = j with { Left = left, Right = right };
                    return keep.Count == 0 ? joined : new FilterNode(joined, keep.Aggregate(ExpressionRewriter.And));
                }
                default:
                    return f with { Input = input };
            }
        }
        var inputs = plan.Inputs.Select(Push).ToList();
        return inputs.Count == 0 ? plan : plan.WithInputs(inputs);
    }
}
