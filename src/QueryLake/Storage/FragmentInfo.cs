using QueryLake.Columnar.Statistics;
namespace QueryLake.Storage;

/// <summary>A fragment of a dataset version: its id, row counts, files and per-column statistics.</summary>
/// <param name="Id">The fragment id (the high half of its rows' ids).</param>
/// <param name="PhysicalRows">Rows stored, deleted ones included.</param>
/// <param name="LiveRows">Rows not deleted.</param>
/// <param name="Files">Data files, relative to the dataset folder.</param>
/// <param name="Statistics">Per-column statistics by column name.</param>
public sealed record FragmentInfo(long Id, long PhysicalRows, long LiveRows, IReadOnlyList<string> Files,
    IReadOnlyDictionary<string, ColumnStatistics> Statistics) : IPrunable
{
    /// <summary>The physical rows of each of its batches, in order (deleted rows included).</summary>
    public IReadOnlyList<int> BatchRows { get; init; } = [];
}
