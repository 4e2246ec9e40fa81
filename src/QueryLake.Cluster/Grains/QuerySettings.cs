using QueryLake.Execution.Distributed;

namespace QueryLake.Cluster.Grains;

/// <summary>The client's settings that a distributed query runs under, on the coordinator and in every task: its
/// <c>memory_limit</c> (bytes; null: none) and the thresholds that cut the plan (<c>cluster_broadcast_rows</c>,
/// <c>cluster_gather_groups</c>, <c>cluster_join_filters</c>, <c>cluster_task_rows</c>).</summary>
[GenerateSerializer, Immutable]
public sealed record QuerySettings(
    [property: Id(0)] long? MemoryLimit,
    [property: Id(1)] long BroadcastRows,
    [property: Id(2)] long GatherGroups,
    [property: Id(3)] bool JoinFilters = true,
    [property: Id(4)] long TaskRows = DistributedSettings.DefaultTaskRows)
{
    internal DistributedSettings ToEngine() => new(MemoryLimit, BroadcastRows, GatherGroups, JoinFilters, TaskRows);

    internal static QuerySettings From(DistributedSettings s) => new(s.MemoryLimit, s.BroadcastRows, s.GatherGroups, s.JoinFilters, s.TaskRows);
}
