using QueryLake.Columnar;

namespace QueryLake.Execution.Distributed;

/// <summary>
/// What a task of a stage produced: its columns (<see cref="Schema"/>) and rows (<see cref="Batches"/>) when the stage gathers, or the files it wrote per
/// partition (<see cref="Files"/>, one list per partition, keys relative to the lake) when it partitions; with its rows
/// and bytes, and where and how long it ran, for the report.
/// </summary>
internal sealed record StageOutput(Schema Schema, List<RecordBatch>? Batches, string[][]? Files, long Rows, long Bytes)
{
    /// <summary>The silo (or process) that ran the task.</summary>
    public string Where { get; init; } = "here";

    /// <summary>How long the task took, in milliseconds.</summary>
    public double Milliseconds { get; init; }

    /// <summary>The join filter of the keys it wrote, when its stage builds one
    /// (<see cref="Planning.Distributed.Stage.FilterValues"/>).</summary>
    public Kernels.BlockedBloom? Filter { get; init; }

    /// <summary>The content hash's sums of the rows it dealt into shards (<see cref="StageWork.Deal"/>), which the
    /// coordinator adds up for the export's lineage record.</summary>
    public Lineage.RowSetHasher.Part? RowSet { get; init; }

    /// <summary>How many tries it took.</summary>
    public int Attempts { get; init; } = 1;
}
