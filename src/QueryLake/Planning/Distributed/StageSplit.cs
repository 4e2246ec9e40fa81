using QueryLake.Columnar;
using QueryLake.Planning.Logical;
using QueryLake.Storage;

namespace QueryLake.Planning.Distributed;

/// <summary>
/// A query cut in two stages: <see cref="Worker"/> runs on workers, each over some fragments of
/// <see cref="Dataset"/> at the pinned <see cref="Snapshot"/>, and <see cref="Coordinator"/> runs on the coordinator over
/// the batches they return, in fragment order. <see cref="Kind"/> says where the cut is, as EXPLAIN shows it.
/// </summary>
internal sealed record StageSplit(LogicalPlan Worker, string Dataset, DatasetSnapshot Snapshot, Func<IReadOnlyList<RecordBatch>, LogicalPlan> Coordinator, string Kind)
{
    /// <summary>The columns the workers return.</summary>
    public Schema WorkerSchema => Worker.Schema;
}
