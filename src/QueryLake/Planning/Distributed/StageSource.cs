using QueryLake.Columnar;
using QueryLake.Columnar.Statistics;
using QueryLake.Planning.Logical;
using QueryLake.Storage;

namespace QueryLake.Planning.Distributed;

/// <summary>
/// The rows of another stage as a leaf of a stage's or the coordinator's plan: a placeholder, which the task that runs
/// the plan replaces by the rows themselves (the partition files it reads, or the batches gathered). Its estimate is
/// the producing plan's, so every worker plans as the coordinator does.
/// </summary>
internal sealed class StageSource(int stage, Schema schema, long? estimate, IReadOnlyList<SortKey>? merge = null) : ITableSource
{
    /// <summary>The stage whose rows these are.</summary>
    public int Stage { get; } = stage;

    /// <summary>When set, each task of the stage sorted its rows on these keys, and the coordinator reads the tasks'
    /// runs merged on them (a sorted merge, not a sort).</summary>
    public IReadOnlyList<SortKey>? Merge { get; } = merge;

    public string Name => Merge is { } keys ? $"stage {Stage}, runs merged on {string.Join(", ", keys)}" : $"stage {Stage}";
    public Schema Schema { get; } = schema;
    public long? EstimatedRows { get; } = estimate;
    public IReadOnlyList<FragmentInfo>? Fragments => null;

    public IEnumerable<RecordBatch> Scan(IReadOnlyList<string> columns, Func<IPrunable, bool>? keep, CancellationToken cancel) =>
        throw new InvalidOperationException($"the rows of stage {Stage} were not given to the task that reads them");
}
