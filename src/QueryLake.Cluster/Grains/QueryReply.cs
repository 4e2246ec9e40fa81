namespace QueryLake.Cluster.Grains;

/// <summary>A distributed query's result: its batches as an Arrow IPC stream (or the engine's error), and the stages:
/// one line per task saying which fragments ran where, in how many attempts.</summary>
[GenerateSerializer, Immutable]
public sealed record QueryReply(
    [property: Id(0)] byte[]? Arrow,
    [property: Id(1)] string? ErrorCode,
    [property: Id(2)] string? ErrorMessage,
    [property: Id(3)] string[] Stages);
