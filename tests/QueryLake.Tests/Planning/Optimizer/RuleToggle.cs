using QueryLake.Sessions;

namespace QueryLake.Tests.Planning.Optimizer;

/// <summary>Runs a query with optimizer rules switched off, and compares results as multisets: what the rules-on /
/// rules-off property tests share.</summary>
internal static class RuleToggle
{
    public static List<object?[]> Rows(QueryLakeSession s, string sql, params string[] disabled)
    {
        s.DisabledRules.Clear();
        s.DisabledRules.UnionWith(disabled);
        try { return s.Query(sql).Rows().ToList(); }
        finally { s.DisabledRules.Clear(); }
    }

    /// <summary>The optimized logical plan's EXPLAIN text (<c>explain_output = 'optimized_only'</c>) with the named rules
    /// switched off; without the row estimates unless
    /// <paramref name="estimates"/>.</summary>
    public static string Explain(QueryLakeSession s, string sql, bool estimates, params string[] disabled)
    {
        s.DisabledRules.Clear();
        s.DisabledRules.UnionWith(disabled);
        try
        {
            s.ExplainOutput = "optimized_only";
            var text = (string)s.Query("EXPLAIN " + sql).Rows().Single()[0]!;
            return estimates ? text : System.Text.RegularExpressions.Regex.Replace(text, @"  \(estimated=[0-9?]+\)", "");
        }
        finally { s.DisabledRules.Clear(); s.ExplainOutput = "physical_only"; }
    }

    /// <summary>The rows as sorted text lines: equal lists mean equal multisets of rows.</summary>
    public static List<string> Sorted(List<object?[]> rows) =>
        rows.Select(r => string.Join("|", r.Select(v => v?.ToString() ?? "NULL"))).Order(StringComparer.Ordinal).ToList();

    /// <summary>Creates dataset <paramref name="name"/> of two BIGINT columns from <paramref name="values"/>, taken in pairs
    /// (negative values are NULL).</summary>
    public static void Table(QueryLakeSession s, string name, string first, string second, int[] values)
    {
        s.Execute($"CREATE DATASET {name} ({first} BIGINT, {second} BIGINT)");
        if (values.Length > 1)
            s.Execute($"INSERT INTO {name} VALUES " + string.Join(", ", Enumerable.Range(0, values.Length / 2).Select(r => $"({Value(values[2 * r])}, {Value(values[2 * r + 1])})")));
    }

    /// <summary>SQL text of a small integer, or NULL for a negative one (generators draw NULLs as -1).</summary>
    public static string Value(int v) => v < 0 ? "NULL" : v.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
