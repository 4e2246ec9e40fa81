namespace QueryLake.Storage;

/// <summary>One committed version of a dataset branch.</summary>
/// <param name="Version">The version number (consecutive per branch).</param>
/// <param name="Branch">The branch.</param>
/// <param name="Timestamp">When it was committed (UTC).</param>
/// <param name="Operation">What made it: create, append, delete, update, add_column, compact, branch, merge.</param>
/// <param name="RowCount">Live rows in this version.</param>
/// <param name="Detail">A human-readable detail, if any.</param>
public sealed record VersionInfo(long Version, string Branch, DateTimeOffset Timestamp, string Operation, long RowCount, string? Detail);
