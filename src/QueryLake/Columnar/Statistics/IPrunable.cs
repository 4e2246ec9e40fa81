namespace QueryLake.Columnar.Statistics;

/// <summary>A part of a table that a scan may skip when its bounds rule out a filter: a dataset fragment, a Parquet
/// row group or page. Pruning predicates (built by the planner) read only these statistics, so file readers apply
/// them without knowing the storage layer.</summary>
public interface IPrunable
{
    /// <summary>Per-column statistics by column name (a column without an entry has unknown bounds).</summary>
    IReadOnlyDictionary<string, ColumnStatistics> Statistics { get; }
}
