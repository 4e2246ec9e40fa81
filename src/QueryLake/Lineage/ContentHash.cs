using QueryLake.Columnar;

namespace QueryLake.Lineage;

/// <summary>A hash of a result's column names, types and every value in row order, so two materializations with the
/// same rows in the same order have the same hash on any machine, however they are batched or encoded
/// (<see cref="ContentHasher"/>: <c>c2:</c> and 64 hex digits).</summary>
public static class ContentHash
{
    /// <summary>The hash of the batches. With <paramref name="like"/> (a hash recorded earlier), the hash is computed
    /// the way that one was, so the two compare: records made before the columnar hash hold a SHA-256 of each value's
    /// text (64 hex digits, no prefix), and a COPY a cluster's workers wrote holds a hash of its rows in no order
    /// (<see cref="RowSetHasher"/>, <c>m1:</c>).</summary>
    public static string Of(Schema schema, IEnumerable<RecordBatch> batches, string? like = null)
    {
        if (like is not null && like.StartsWith(RowSetHasher.Prefix, StringComparison.Ordinal))
        {
            var rows = new RowSetHasher(schema);
            foreach (var b in batches) rows.Add(b);
            return rows.Finish();
        }
        if (like is not null && !like.StartsWith(ContentHasher.Prefix, StringComparison.Ordinal))
        {
            using var text = new TextContentHasher(schema);
            foreach (var b in batches) text.Add(b);
            return text.Finish();
        }
        using var hasher = new ContentHasher(schema);
        foreach (var b in batches) hasher.Add(b);
        return hasher.Finish();
    }
}
