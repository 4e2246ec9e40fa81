using QueryLake.Execution.Operators.Scan.Sources;
using QueryLake.Planning.Expressions;
using QueryLake.Planning.Logical;

namespace QueryLake.Planning.Distributed;

/// <summary>
/// One stage of a distributed query (<see cref="StagePlan"/>): a plan that workers run as parallel tasks. A scan stage
/// (<see cref="Dataset"/> set) reads one dataset at its pinned version, one task per fragment; an exchange stage reads
/// the partitions its <see cref="Inputs"/> wrote, one task per partition (leaves: <see cref="StageSource"/> scans).
/// Its rows go back to the coordinator (<see cref="PartitionKeys"/> null), or are hash-partitioned on
/// <see cref="PartitionKeys"/> (expressions over <see cref="Plan"/>'s columns) into Arrow IPC files on the lake's
/// storage, which the stages above read, each task its partition.
/// </summary>
internal sealed record Stage(int Id, LogicalPlan Plan, IReadOnlyList<int> Inputs, IReadOnlyList<BoundExpr>? PartitionKeys, string Kind, DatasetSource? Dataset)
{
    /// <summary>Stages whose whole output every task of this one reads (the small side of a join).</summary>
    public IReadOnlyList<int> Broadcast { get; init; } = [];

    /// <summary>The stage whose partition keys filter this one's rows before they are written (a join filter: the two are
    /// the sides of a join that drops this side's rows without a match), or null. This stage starts once that one has
    /// finished.</summary>
    public int? FilteredBy { get; init; }

    /// <summary>Distinct partition keys expected, when the stage builds a filter of them for the other side of its join
    /// (<see cref="FilteredBy"/>): the size of its filter. 0: it builds none.</summary>
    public long FilterValues { get; init; }

    /// <summary>Whether the stage's rows go to the coordinator.</summary>
    public bool Gathers => PartitionKeys is null;

    /// <summary>Whether the stage's rows go whole to every task of the stage that reads them (no keys: one partition).</summary>
    public bool Broadcasts => PartitionKeys is { Count: 0 };

    /// <summary>How the stage reads and where its rows go, as EXPLAIN and the report say it.</summary>
    public string Describe() =>
        $"{Kind}, " + (Dataset is { } d ? $"one task per fragment of {d.Name}@{d.Snapshot.Version} ({d.Snapshot.Fragments.Count})" : $"one task per partition of stage{(Inputs.Count > 1 ? "s" : "")} {string.Join(" and ", Inputs)}")
        + (Broadcast.Count > 0 ? $", each reading all of stage{(Broadcast.Count > 1 ? "s" : "")} {string.Join(" and ", Broadcast)}" : "")
        + (FilteredBy is { } by ? $", rows without a key of stage {by} dropped (join filter)" : "")
        + (FilterValues > 0 ? ", its keys a join filter" : "")
        + (PartitionKeys switch
        {
            null => "; rows to the coordinator",
            { Count: 0 } => "; rows to every task that reads them (broadcast)",
            var keys => $"; hash-partitioned on [{string.Join(", ", keys)}] into the exchange",
        });
}
