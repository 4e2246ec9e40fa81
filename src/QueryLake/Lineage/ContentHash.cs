using QueryLake.Columnar;

namespace QueryLake.Lineage;

/// <summary>A SHA-256 over a result's column names, types and every value in row order (canonical text), so two
/// materializations with the same rows in the same order have the same hash on any machine.</summary>
public static class ContentHash
{
    /// <summary>The hash of the batches, as lowercase hex.</summary>
    public static string Of(Schema schema, IEnumerable<RecordBatch> batches)
    {
        using var hasher = new ContentHasher(schema);
        foreach (var b in batches) hasher.Add(b);
        return hasher.Finish();
    }
}
