namespace QueryLake.Execution.Distributed;

/// <summary>
/// The settings a distributed query runs under, the same on its coordinator and in every task: the client's
/// <c>memory_limit</c> (per task, and for the coordinator's plan), and the two thresholds that decide how the plan is
/// cut (<c>cluster_broadcast_rows</c>, <c>cluster_gather_groups</c>), whether joins filter one side by the other's keys
/// between stages (<c>cluster_join_filters</c>), and the rows of a scan task (<c>cluster_task_rows</c>). They travel
/// with the query, so a worker cuts the plan exactly as the coordinator did whatever its own session says.
/// </summary>
internal sealed record DistributedSettings(long? MemoryLimit, long BroadcastRows, long GatherGroups, bool JoinFilters = true, long TaskRows = DistributedSettings.DefaultTaskRows)
{
    /// <summary>The rows past which a fragment is read by several tasks, each a range of its batches of about this
    /// many rows (default; <c>cluster_task_rows</c>).</summary>
    public const long DefaultTaskRows = 1L << 20;

    /// <summary>Estimated rows at most of a join side sent whole to every task of the other side (default).</summary>
    public const long DefaultBroadcastRows = 100_000;

    /// <summary>Estimated groups at most that a partial aggregation sends to the coordinator rather than partitioning
    /// them (default).</summary>
    public const long DefaultGatherGroups = 50_000;
}
