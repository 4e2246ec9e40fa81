using QueryLake.Planning.Expressions;
using QueryLake.Planning.Logical;

namespace QueryLake.Planning.Optimizer;

/// <summary>
/// Row-count estimates for planning: the fraction of rows a predicate keeps, and the rows an input had before any
/// filter (which bounds the distinct values of its columns). Over a scan, an equality with a constant keeps one of the
/// column's distinct values (from the HyperLogLog sketches, value ranges and row counts). Textbook defaults where the
/// lake has no statistic: an equality with a constant keeps 10%, a range a third, LIKE a quarter, IS NULL 5%;
/// conjuncts multiply.
/// </summary>
internal static class Cardinality
{
    /// <summary>The fraction of rows <paramref name="predicate"/> keeps (0, 1]. Over a scan (<paramref name="scan"/>),
    /// a column's membership in k constants (a long IN list, an uncorrelated IN subquery's rows) keeps k of the
    /// column's distinct values.</summary>
    public static double Selectivity(BoundExpr? predicate, ScanNode? scan = null)
    {
        double s = 1;
        foreach (var c in ExpressionRewriter.Conjuncts(predicate))
            s *= scan is not null && Distinct(scan, c) is { } kept ? kept : Conjunct(c);
        return Math.Max(s, 1e-6);
    }

    /// <summary>Over a scan, the fraction a conjunct keeps from its column's distinct values: <c>col = constant</c>
    /// keeps one of them (p_type = 'ECONOMY ANODIZED STEEL' one of 150 types), membership in k constants k of them;
    /// null where the column's distinct values are unknown or the conjunct is another kind.</summary>
    private static double? Distinct(ScanNode scan, BoundExpr c)
    {
        var (column, values) = c switch
        {
            Call { Function.Name: "in_set", Args: [ColumnRef col, Literal { Value: System.Collections.ICollection list }] } => (col, list.Count),
            Call { Function.Name: "=", Args: [ColumnRef col, Literal { Value: not null }] } => (col, 1),
            Call { Function.Name: "=", Args: [Literal { Value: not null }, ColumnRef col] } => (col, 1),
            _ => ((ColumnRef?)null, 0),
        };
        if (column is null || DistinctBound(scan with { Filter = null }, column.Index) is not { } distinct) return null;
        return Math.Min(1.0, (double)values / distinct);
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

    /// <summary>An estimate of the distinct values of column <paramref name="column"/> of <paramref name="p"/>: the
    /// HyperLogLog sketches of a lake dataset's fragments merged, bounded by the rows under its filters and projections
    /// and, for an integer column, by the width of its value range from the fragments' min/max statistics (a nation key
    /// in 0..24 has at most 25 values, however many rows hold it).</summary>
    public static long? DistinctBound(LogicalPlan p, int column)
    {
        long? bound = UnfilteredRows(p);
        if (SourceColumn(p, column) is var (source, name) && source.Fragments is { Count: > 0 } fragments)
            foreach (var other in new[] { ValueRange(source, name, fragments), Sketched(name, fragments) })
                if (other is { } o) bound = bound is { } b ? Math.Min(b, o) : o;
        return bound;
    }

    /// <summary>The source and column name a column of <paramref name="p"/> reads unchanged, through filters and
    /// projections; null when it is computed.</summary>
    private static (ITableSource Source, string Name)? SourceColumn(LogicalPlan p, int column) => p switch
    {
        FilterNode f => SourceColumn(f.Input, column),
        ProjectNode pr => pr.Exprs[column] is ColumnRef r ? SourceColumn(pr.Input, r.Index) : null,
        ScanNode s => (s.Source, s.Columns[column]),
        _ => null,
    };

    /// <summary>The fragments' HyperLogLog sketches of the column merged; null when a live fragment has none.</summary>
    private static long? Sketched(string name, IReadOnlyList<Storage.FragmentInfo> fragments)
    {
        var merged = new Columnar.Statistics.HyperLogLog();
        foreach (var f in fragments)
        {
            if (f.LiveRows == 0) continue;
            if (!f.Statistics.TryGetValue(name, out var st) || st.Distinct is not { } sketch) return null;
            merged.Merge(sketch);
        }
        return Math.Max(1, merged.Estimate());
    }

    /// <summary>For an integer column, the width of its value range over the live fragments' min/max statistics.</summary>
    private static long? ValueRange(ITableSource source, string name, IReadOnlyList<Storage.FragmentInfo> fragments)
    {
        if (!source.Schema[name].DataType.IsInteger) return null;
        long min = long.MaxValue, max = long.MinValue;
        foreach (var f in fragments)
        {
            if (f.LiveRows == 0) continue;
            if (!f.Statistics.TryGetValue(name, out var st) || st.Min is not (long or int) || st.Max is not (long or int)) return null;
            min = Math.Min(min, Convert.ToInt64(st.Min, System.Globalization.CultureInfo.InvariantCulture));
            max = Math.Max(max, Convert.ToInt64(st.Max, System.Globalization.CultureInfo.InvariantCulture));
        }
        return min > max ? null : max - min < long.MaxValue - 1 ? max - min + 1 : null;
    }

    /// <summary>Rows of the input under filters and projections: a bound on the distinct values of any of its columns.</summary>
    public static long? UnfilteredRows(LogicalPlan p) => p switch
    {
        ScanNode s => s.Source.EstimatedRows,
        FilterNode or ProjectNode => UnfilteredRows(p.Inputs[0]),
        _ => p.EstimatedRows,
    };
}
