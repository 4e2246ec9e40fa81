namespace QueryLake.Cluster.Grains;

/// <summary>What a worker returns for a <see cref="StageTask"/>: its batches as an Arrow IPC stream, or the exchange
/// files it wrote per partition (<see cref="Files"/>), or, for a writing task, the record of the column file it wrote,
/// as JSON (<see cref="File"/>), the join filter of the keys it wrote when its stage builds one (<see cref="Filter"/>),
/// and the content hash's sums of the rows it dealt into COPY's shards (<see cref="RowSet"/>: two sums and the rows);
/// or the engine's error (code and message); and where and how long it ran.</summary>
[GenerateSerializer, Immutable]
public sealed record StageResult(
    [property: Id(0)] byte[]? Arrow,
    [property: Id(1)] string? ErrorCode,
    [property: Id(2)] string? ErrorMessage,
    [property: Id(3)] string Silo,
    [property: Id(4)] long Rows,
    [property: Id(5)] double Milliseconds,
    [property: Id(6)] string? File = null,
    [property: Id(7)] string[][]? Files = null,
    [property: Id(8)] long Bytes = 0,
    [property: Id(9)] byte[]? Filter = null,
    [property: Id(10)] ulong[]? RowSet = null);
