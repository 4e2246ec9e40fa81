using QueryLake.Planning.Expressions;
using QueryLake.Planning.Logical;

namespace QueryLake.Planning.Optimizer;

/// <summary>
/// Row-count estimates for planning: the fraction of rows a predicate keeps, and the rows an input had before any
/// filter (which bounds the distinct values of its columns). Textbook defaults where the lake has no statistic:
/// an equality with a constant keeps 10%, a range a third, LIKE a quarter, IS NULL 5%; conjuncts multiply.
/// </summary>
internal static class Cardinality
{
    /// <summary>The fraction of rows <paramref name="predicate"/> keeps (0, 1].</summary>
    public static double Selectivity(BoundExpr? predicate)
    {
        double s = 1;
        foreach (var c in ExpressionRewriter.Conjuncts(predicate)) s *= Conjunct(c);
        return Math.Max(s, 1e-6);
    }

    private static double Conjunct(BoundExpr e) => e switch
    {
        Call { Function.Name: "=", Args: [var a, var b] } when a is Literal || b is Literal => 0.1,
        Call { Function.Name: "=" } => 0.1,
        Call { Function.Name: "<" or "<=" or ">" or ">=" } => 0.33,
        Call { Function.Name: "<>" or "!=" } => 0.9,
        Call { Function.Name: var n } when n.Contains("LIKE", StringComparison.OrdinalIgnoreCase) => n.StartsWith("NOT", StringComparison.OrdinalIgnoreCase) ? 0.75 : 0.25,
        Call { Function.Name: "IN", Args: var args } => Math.Min(0.5, 0.1 * Math.Max(1, args.Count - 1)),
        Call { Function.Name: "IS NULL" } => 0.05,
        Call { Function.Name: "IS NOT NULL" } => 0.95,
        Call { Function.Name: "OR", Args: [var a, var b] } => Math.Min(1, Conjunct(a) + Conjunct(b)),
        Call { Function.Name: "NOT", Args: [var a] } => Math.Max(0.05, 1 - Conjunct(a)),
        Call { Function.Name: "BETWEEN" } => 0.25,
        _ => 0.5,
    };

    /// <summary>Rows of the input under filters and projections: a bound on the distinct values of any of its columns.</summary>
    public static long? UnfilteredRows(LogicalPlan p) => p switch
    {
        ScanNode s => s.Source.EstimatedRows,
        FilterNode or ProjectNode => UnfilteredRows(p.Inputs[0]),
        _ => p.EstimatedRows,
    };
}
