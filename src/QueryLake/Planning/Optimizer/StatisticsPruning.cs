using QueryLake.Columnar.Statistics;
using QueryLake.Columnar;
using QueryLake.Columnar.Types;
using QueryLake.Planning.Expressions;
using QueryLake.Storage;

namespace QueryLake.Planning.Optimizer;

/// <summary>
/// Turns a scan's pushed filter into a fragment test over min/max statistics: a fragment is skipped only
/// when a conjunct <c>column op literal</c> cannot hold for any value between its min and max.
/// </summary>
internal static class StatisticsPruning
{
    public static Func<IPrunable, bool>? Predicate(BoundExpr filter, Schema schema)
    {
        var tests = new List<Func<IPrunable, bool>>();
        foreach (var c in ExpressionRewriter.Conjuncts(filter))
        {
            if (c is not Call { Function.IsOperator: true, Args: [var a, var b] } call) continue;
            var (col, lit, op) = (a, b) switch
            {
                (ColumnRef x, Literal y) => (x, y, call.Function.Name),
                (Literal y, ColumnRef x) => (x, y, Flip(call.Function.Name)),
                (Cast { Value: ColumnRef x }, Literal y) => (x, y, call.Function.Name),
                _ => (null, null, ""),
            };
            if (col is null || lit?.Value is null || op is not ("=" or "<" or "<=" or ">" or ">=")) continue;
            string name = schema.Fields[col.Index].Name;
            if (StatisticValue(lit.Value, schema.Fields[col.Index].DataType) is not { } value) continue;
            tests.Add(f => !f.Statistics.TryGetValue(name, out var s) || MayMatch(s, op, value));
        }
        return tests.Count == 0 ? null : f => tests.All(t => t(f));
    }

    /// <summary>A literal in the form statistics take for a column of <paramref name="type"/>: timestamps as counts of
    /// the column's unit since the epoch, dates as days; null when it cannot be compared.</summary>
    private static object? StatisticValue(object literal, DataType type) => (literal, type.StorageType) switch
    {
        (DateTime t, TimestampType ts) => ts.Unit switch
        {
            TimeUnit.Second => (t - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerSecond,
            TimeUnit.Millisecond => (t - DateTime.UnixEpoch).Ticks / TimeSpan.TicksPerMillisecond,
            TimeUnit.Microsecond => (t - DateTime.UnixEpoch).Ticks / 10,
            _ => (t - DateTime.UnixEpoch).Ticks * 100,
        },
        (DateOnly d, PrimitiveType { Id: TypeId.Date32 }) => (long)(d.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber),
        (DateTime or DateOnly, _) => null,
        _ => literal,
    };

    private static string Flip(string op) => op switch { "<" => ">", "<=" => ">=", ">" => "<", ">=" => "<=", _ => op };

    private static bool MayMatch(ColumnStatistics s, string op, object value)
    {
        int? cmpMin = Compare(s.Min, value), cmpMax = Compare(s.Max, value);
        return op switch
        {
            "=" => !(cmpMin > 0 || cmpMax < 0),
            "<" => !(cmpMin >= 0),
            "<=" => !(cmpMin > 0),
            ">" => !(cmpMax <= 0),
            ">=" => !(cmpMax < 0),
            _ => true,
        };
    }

    /// <summary>Compares a statistic with a literal; null when they are not comparable (then nothing is pruned).</summary>
    private static int? Compare(object? stat, object value)
    {
        if (stat is null) return null;
        try
        {
            return (stat, value) switch
            {
                (string s, string v) => string.CompareOrdinal(s, v),
                (string, _) or (_, string) => null,
                (long l, long v) => l.CompareTo(v),
                _ => Convert.ToDouble(stat, System.Globalization.CultureInfo.InvariantCulture).CompareTo(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)),
            };
        }
        catch (InvalidCastException) { return null; }
    }
}
