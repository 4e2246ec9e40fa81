using QueryLake.Columnar;

namespace QueryLake.Planning.Expressions;

/// <summary>
/// Whether an expression can be NULL, decided from its input columns' nullability: conservative (true unless the
/// expression provably never yields NULL), so that a column reported NOT NULL (ADO.NET's AllowDBNull, Parquet's
/// REQUIRED, Arrow's nullable flag) never holds one.
/// </summary>
internal static class Nullability
{
    /// <summary>Functions that give NULL exactly when an argument is NULL: never NULL when no argument can be.</summary>
    private static readonly HashSet<string> Strict = new(StringComparer.OrdinalIgnoreCase)
    {
        "+", "-", "*", "/", "negate", "=", "<>", "<", "<=", ">", ">=", "AND", "OR", "NOT", "||", "LIKE", "ILIKE",
        "upper", "lower", "length", "abs", "trim", "ltrim", "rtrim", "starts_with", "contains", "replace",
        "date_part", "year", "month", "day", "hour", "minute", "second", "date_trunc", "floor", "ceil", "sign",
    };

    /// <summary>Functions that never give NULL.</summary>
    private static readonly HashSet<string> NeverNull = new(StringComparer.OrdinalIgnoreCase)
    {
        "IS NULL", "IS NOT NULL", "IS DISTINCT FROM", "IS NOT DISTINCT FROM", "hash",
    };

    /// <summary>Aggregates that never give NULL, even over no rows.</summary>
    private static readonly HashSet<string> NeverNullAggregates = new(StringComparer.OrdinalIgnoreCase)
    {
        "count", "count_star", "approx_count_distinct",
    };

    /// <summary>Window functions that never give NULL.</summary>
    private static readonly HashSet<string> NeverNullWindows = new(StringComparer.OrdinalIgnoreCase)
    {
        "row_number", "rank", "dense_rank", "ntile", "count", "percent_rank", "cume_dist",
    };

    /// <summary>Whether <paramref name="e"/>, evaluated over rows of <paramref name="input"/>, can be NULL.</summary>
    public static bool MayBeNull(BoundExpr e, Schema input) => e switch
    {
        ColumnRef c => c.Index >= input.Fields.Count || input.Fields[c.Index].Nullable,
        Literal l => l.Value is null,
        Cast c => c.Try || MayBeNull(c.Value, input),
        CaseWhen w => w.Else is null || MayBeNull(w.Else, input) || w.Branches.Any(b => MayBeNull(b.Then, input)),
        Call c when NeverNull.Contains(c.Function.Name) => false,
        Call c when c.Function.Name.Equals("coalesce", StringComparison.OrdinalIgnoreCase) => c.Args.All(a => MayBeNull(a, input)),
        Call c when Strict.Contains(c.Function.Name) => c.Args.Any(a => MayBeNull(a, input)),
        _ => true,
    };

    /// <summary>Whether an aggregate's result can be NULL.</summary>
    public static bool MayBeNull(Logical.AggregateCall call) => !NeverNullAggregates.Contains(call.Function.Name);

    /// <summary>Whether a window function's result can be NULL.</summary>
    public static bool MayBeNull(Logical.WindowCall call) => !NeverNullWindows.Contains(call.Function);
}
