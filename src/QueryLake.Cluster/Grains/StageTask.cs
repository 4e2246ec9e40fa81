namespace QueryLake.Cluster.Grains;

/// <summary>One unit of a distributed statement: the statement, the dataset versions it reads (pinned, so a task retried
/// elsewhere reads the same bytes), and what of it this task runs: the stage <see cref="Stage"/>, over
/// <see cref="Fragments"/> of <see cref="Dataset"/> (a scan stage) or over partition <see cref="Partition"/> of its
/// inputs' exchange files (<see cref="Inputs"/>, by input stage). A partitioning stage writes into
/// <see cref="Partitions"/> partitions under <see cref="Exchange"/>. <see cref="Writes"/>: the task writes a computed
/// column's file for its fragment (ADD COLUMN … AS), or with <see cref="Files"/> those files' rows into the dataset's
/// data files (IMPORT FILES), or with <see cref="CopyShard"/> those exchange files' rows into COPY's shard
/// <see cref="Partition"/> of <see cref="Partitions"/> (under the pending suffix <see cref="Exchange"/>), not rows.
/// <see cref="Deal"/>: the stage's rows are dealt round-robin into that many partitions instead of returned. <see cref="Settings"/>: the query's, which the task runs
/// under. <see cref="Filter"/>: the join filter its rows must pass before they are written (a Bloom filter's bytes).
/// <see cref="FirstBatch"/> and <see cref="EndBatch"/> (−1: the whole fragment): of its one fragment, only batches
/// [first, end), a row range.</summary>
[GenerateSerializer, Immutable]
public sealed record StageTask(
    [property: Id(0)] string Sql,
    [property: Id(1)] Dictionary<string, long> Pins,
    [property: Id(2)] string Dataset,
    [property: Id(3)] long[] Fragments,
    [property: Id(4)] int Attempt,
    [property: Id(5)] bool Writes = false,
    [property: Id(6)] int Stage = 0,
    [property: Id(7)] int Task = 0,
    [property: Id(8)] int Partition = -1,
    [property: Id(9)] int Partitions = 1,
    [property: Id(10)] Dictionary<int, string[]>? Inputs = null,
    [property: Id(11)] string Exchange = "",
    [property: Id(12)] QuerySettings? Settings = null,
    [property: Id(13)] string[]? Files = null,
    [property: Id(14)] int? Deal = null,
    [property: Id(15)] bool CopyShard = false,
    [property: Id(16)] byte[]? Filter = null,
    [property: Id(17)] int FirstBatch = -1,
    [property: Id(18)] int EndBatch = -1);
