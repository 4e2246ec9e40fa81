namespace QueryLake.Cluster.Grains;

/// <summary>What a worker returns for a <see cref="StageTask"/>: its batches as an Arrow IPC stream (or, for a writing
/// task, the record of the file it wrote, as JSON), or the engine's error (code and message), and where and how long it
/// ran.</summary>
[GenerateSerializer, Immutable]
public sealed record StageResult(
    [property: Id(0)] byte[]? Arrow,
    [property: Id(1)] string? ErrorCode,
    [property: Id(2)] string? ErrorMessage,
    [property: Id(3)] string Silo,
    [property: Id(4)] long Rows,
    [property: Id(5)] double Milliseconds,
    [property: Id(6)] string? File = null);
