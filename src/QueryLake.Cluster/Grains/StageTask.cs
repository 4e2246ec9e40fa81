namespace QueryLake.Cluster.Grains;

/// <summary>One unit of a distributed statement: the statement, the dataset versions it reads, and the fragments of the
/// cut dataset this task covers. The versions are pinned, so a task retried elsewhere reads the same bytes.
/// <see cref="Writes"/>: the task writes a computed column's file for its fragment (ADD COLUMN … AS), not rows.</summary>
[GenerateSerializer, Immutable]
public sealed record StageTask(
    [property: Id(0)] string Sql,
    [property: Id(1)] Dictionary<string, long> Pins,
    [property: Id(2)] string Dataset,
    [property: Id(3)] long[] Fragments,
    [property: Id(4)] int Attempt,
    [property: Id(5)] bool Writes = false);
