namespace QueryLake.Columnar.Statistics;

/// <summary>Bounds of one column in one fragment, for pruning: every live value v satisfies
/// <c>Min &lt;= v &lt;= Max</c> (compared as numbers, or ordinally for strings). Null bounds mean unknown.</summary>
/// <param name="Min">The smallest value (long, ulong, double or string), or null if unknown.</param>
/// <param name="Max">The largest value, or null if unknown.</param>
/// <param name="NullCount">Nulls among the fragment's physical rows.</param>
public sealed record ColumnStatistics(object? Min, object? Max, long NullCount)
{
    /// <summary>A sketch of the column's distinct values, where the file has one (lake data files do).</summary>
    internal HyperLogLog? Distinct { get; init; }
}
