namespace QueryLake.Planning.Expressions;

/// <summary>The equality keys of a join condition, as the hash join uses them and the optimizer reads them.</summary>
internal static class JoinCondition
{
    /// <summary>Splits a join condition (over the left columns followed by the right ones) into equality keys — the
    /// left expression, and the right one over the right input's own columns — and the rest.</summary>
    public static (List<BoundExpr> Left, List<BoundExpr> Right, BoundExpr? Residual) Split(BoundExpr? condition, int leftWidth)
    {
        var left = new List<BoundExpr>();
        var right = new List<BoundExpr>();
        var rest = new List<BoundExpr>();
        foreach (var c in ExpressionRewriter.Conjuncts(condition))
        {
            if (c is Call { Function.Name: "=", Args: [var a, var b] })
            {
                var (sa, sb) = (Side(a, leftWidth), Side(b, leftWidth));
                if (sa == 0 && sb == 1) { left.Add(a); right.Add(Shift(b, leftWidth)); continue; }
                if (sa == 1 && sb == 0) { left.Add(b); right.Add(Shift(a, leftWidth)); continue; }
            }
            rest.Add(c);
        }
        BoundExpr? residual = rest.Count == 0 ? null : rest.Aggregate((x, y) => ExpressionRewriter.And(x, y));
        return (left, right, residual);
    }

    /// <summary>0 when an expression reads only left columns, 1 when only right ones, -1 when both or none.</summary>
    private static int Side(BoundExpr e, int leftWidth)
    {
        var cols = ExpressionRewriter.Columns(e).ToList();
        if (cols.Count == 0) return -1;
        if (cols.All(c => c < leftWidth)) return 0;
        if (cols.All(c => c >= leftWidth)) return 1;
        return -1;
    }

    private static BoundExpr Shift(BoundExpr e, int by) => ExpressionRewriter.RemapColumns(e, i => i - by);
}
