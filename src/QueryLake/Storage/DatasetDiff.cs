namespace QueryLake.Storage;

/// <summary>Rows that differ between two versions, by row id.</summary>
/// <param name="FromVersion">The older version.</param>
/// <param name="ToVersion">The newer version.</param>
/// <param name="Added">Rows live in the newer version and absent (or deleted) in the older.</param>
/// <param name="Deleted">Rows live in the older version and gone in the newer.</param>
/// <param name="Updated">Rows live in both whose fragment was rewritten by an update in between.</param>
public sealed record DatasetDiff(long FromVersion, long ToVersion, IReadOnlyList<long> Added, IReadOnlyList<long> Deleted, IReadOnlyList<long> Updated);
