namespace QueryLake.Lineage;

/// <summary>A persisted view: its query, whether it follows the latest versions or is pinned to the versions it
/// read when created, and the content hash of its rows then (re-materializing a pinned view gives the same hash).</summary>
public sealed record ViewDefinition(string Name, string Query, bool FollowLatest, IReadOnlyList<DatasetRead> Reads, DateTimeOffset Created,
    string ContentHash, long Rows);
