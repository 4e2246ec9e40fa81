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
internal sealed class StageSource(int stage, Schema schema, long? estimate) : ITableSource
{
    /// <summary>The stage whose rows these are.</summary>
    public int Stage { get; } = stage;

    public string Name => $"stage {Stage}";
    public Schema Schema { get; } = schema;
    public long? EstimatedRows { get; } = estimate;
    public IReadOnlyList<FragmentInfo>? Fragments => null;

    public IEnumerable<RecordBatch> Scan(IReadOnlyList<string> columns, Func<IPrunable, bool>? keep, CancellationToken cancel) =>
        throw new InvalidOperationException($"the rows of stage {Stage} were not given to the task that reads them");
}
