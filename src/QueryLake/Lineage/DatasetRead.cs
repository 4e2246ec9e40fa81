namespace QueryLake.Lineage;

/// <summary>A dataset version a query read.</summary>
public sealed record DatasetRead(string Dataset, string Branch, long Version);
