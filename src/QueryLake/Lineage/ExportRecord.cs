namespace QueryLake.Lineage;

/// <summary>What a COPY wrote: the target (an absolute path), the query and the dataset versions it read, the format,
/// shard count and shuffle seed, the row count, and the content hash of the rows in query order (before any shuffle),
/// so the export can be re-created and checked later.</summary>
public sealed record ExportRecord(string Target, string Format, string Query, IReadOnlyList<DatasetRead> Reads, int? Shards, long? ShuffleSeed,
    DateTimeOffset Created, string ContentHash, long Rows)
{
    /// <summary>The record's file name in the lake: a hash of the target path, so re-exporting to a path replaces it.</summary>
    public static string KeyOf(string target) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(target)))[..24];
}
