namespace QueryLake.Execution.Distributed;

/// <summary>
/// One task of a stage of a distributed query (<see cref="Planning.Distributed.Stage"/>): for a scan stage, the
/// fragments it reads (<see cref="Partition"/> −1); for an exchange stage, its partition and, per input stage, the files
/// of that partition; and the whole output of the stages it reads broadcast. Its own
/// rows, when partitioned, go to files under <see cref="Exchange"/> named by the stage, <see cref="Task"/> and
/// <see cref="Attempt"/>, so a retried task never overwrites a file another attempt reported. It runs under the
/// query's <see cref="Settings"/>. <see cref="Deal"/>: the stage's rows, which would go to the coordinator, are dealt
/// round-robin into that many partitions instead (COPY … SHARDS on a cluster). <see cref="Filter"/>: the join filter
/// of the other side's keys (the stage is <see cref="Planning.Distributed.Stage.FilteredBy"/> it), which the rows it
/// writes must pass. <see cref="Batches"/>: of its one fragment, only batches [<c>First</c>, <c>End</c>) (a row range:
/// a large fragment is split into tasks of about <see cref="DistributedSettings.TaskRows"/> rows).
/// </summary>
internal sealed record StageWork(int Stage, int Task, long[] Fragments, int Partition, int Partitions,
    IReadOnlyDictionary<int, string[]> Inputs, string Exchange, DistributedSettings Settings, int Attempt = 0, int? Deal = null, Kernels.BlockedBloom? Filter = null, (int First, int End)? Batches = null)
{
    /// <summary>What the task reads, as the report names it.</summary>
    public string Describe() => Partition >= 0 ? $"partition {Partition}"
        : $"fragments [{string.Join(", ", Fragments)}]" + (Batches is var (first, end) ? $" batches {first}–{end - 1}" : "");
}
