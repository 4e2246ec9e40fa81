namespace QueryLake.Columnar.Statistics;

/// <summary>Rows of a file (a row group, a page) with their columns' statistics, offered to a pruning predicate.</summary>
internal sealed record PrunableRange(IReadOnlyDictionary<string, ColumnStatistics> Statistics) : IPrunable;
