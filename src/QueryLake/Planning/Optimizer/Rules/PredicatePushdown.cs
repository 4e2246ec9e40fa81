using QueryLake.Planning.Expressions;
using QueryLake.Planning.Logical;

namespace QueryLake.Planning.Optimizer.Rules;

/// <summary>
/// Moves filters down: into scans (where fragment statistics can then skip whole fragments), and through joins where
/// that keeps the result: through inner and cross joins to the side whose columns they read; through a LEFT join to its
/// left side (and a RIGHT join to its right side) only, since filtering the other side first would turn its rows into
/// NULL-extended ones instead of removing them; through semi and anti joins to their left side. A LEFT join's ON
/// conjuncts over its right side alone filter the right input first (RIGHT joins mirrored, semi and anti joins too).
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
                case JoinNode { Kind: JoinKind.Left or JoinKind.Right or JoinKind.Semi or JoinKind.Anti } j:
                {
                    // The preserved side: the left of LEFT, semi and anti joins, the right of RIGHT joins.
                    int leftWidth = j.Left.Schema.Fields.Count;
                    bool right = j.Kind == JoinKind.Right;
                    var down = new List<BoundExpr>();
                    var keep = new List<BoundExpr>();
                    foreach (var c in ExpressionRewriter.Conjuncts(f.Predicate))
                    {
                        var cols = ExpressionRewriter.Columns(c).ToList();
                        bool movable = cols.Count > 0 && !ExpressionRewriter.Contains<CorrelatedSubquery>(c) && (right ? cols.All(i => i >= leftWidth) : cols.All(i => i < leftWidth));
                        (movable ? down : keep).Add(c);
                    }
                    if (down.Count == 0) return f with { Input = input };
                    var pushed = down.Aggregate(ExpressionRewriter.And);
                    LogicalPlan joined = right
                        ? j with { Right = Push(new FilterNode(j.Right, ExpressionRewriter.RemapColumns(pushed, i => i - leftWidth))) }
                        : j with { Left = Push(new FilterNode(j.Left, pushed)) };
                    return keep.Count == 0 ? joined : new FilterNode(joined, keep.Aggregate(ExpressionRewriter.And));
                }
                default:
                    return f with { Input = input };
            }
        }
        if (plan is JoinNode { Kind: JoinKind.Left or JoinKind.Right or JoinKind.Semi or JoinKind.Anti, Condition: { } condition } outer)
        {
            // ON conjuncts that read only the side whose rows may go unmatched filter that side before the join.
            int leftWidth = outer.Left.Schema.Fields.Count;
            bool filterLeft = outer.Kind == JoinKind.Right;
            var down = new List<BoundExpr>();
            var keep = new List<BoundExpr>();
            foreach (var c in ExpressionRewriter.Conjuncts(condition))
            {
                var cols = ExpressionRewriter.Columns(c).ToList();
                bool movable = cols.Count > 0 && !ExpressionRewriter.Contains<CorrelatedSubquery>(c) && (filterLeft ? cols.All(i => i < leftWidth) : cols.All(i => i >= leftWidth));
                (movable ? down : keep).Add(c);
            }
            if (down.Count > 0)
            {
                var pushed = down.Aggregate(ExpressionRewriter.And);
                var moved = filterLeft
                    ? outer with { Left = new FilterNode(outer.Left, pushed), Condition = keep.Count == 0 ? null : keep.Aggregate(ExpressionRewriter.And) }
                    : outer with { Right = new FilterNode(outer.Right, ExpressionRewriter.RemapColumns(pushed, i => i - leftWidth)), Condition = keep.Count == 0 ? null : keep.Aggregate(ExpressionRewriter.And) };
                return Push(moved);
            }
        }
        var inputs = plan.Inputs.Select(Push).ToList();
        return inputs.Count == 0 ? plan : plan.WithInputs(inputs);
    }
}
