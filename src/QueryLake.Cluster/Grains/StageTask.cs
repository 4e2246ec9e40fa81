namespace QueryLake.Cluster.Grains;

/// <summary>One unit of a distributed query: the query, the dataset versions it reads, and the fragments of the cut
/// dataset this task covers. The versions are pinned, so a task retried elsewhere reads the same bytes.</summary>
[GenerateSerializer, Immutable]
public sealed record StageTask(
    [property: Id(0)] string Sql,
    [property: Id(1)] Dictionary<string, long> Pins,
    [property: Id(2)] string Dataset,
    [property: Id(3)] long[] Fragments,
    [property: Id(4)] int Attempt);
