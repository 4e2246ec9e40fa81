using System.Security.Cryptography;
using System.Text;
using QueryLake.Columnar;

namespace QueryLake.Lineage;

/// <summary>A SHA-256 over a result's column names, types and every value in row order (canonical text), so two
/// materializations with the same rows in the same order have the same hash on any machine.</summary>
public static class ContentHash
{
    /// <summary>The hash of the batches, as lowercase hex.</summary>
    public static string Of(Schema schema, IEnumerable<RecordBatch> batches)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string s) { sha.AppendData(Encoding.UTF8.GetBytes(s)); sha.AppendData([0x1F]); }
        foreach (var f in schema.Fields) { Add(f.Name); Add(f.DataType.ToString()); }
        foreach (var b in batches)
            for (int r = 0; r < b.Length; r++)
            {
                foreach (var c in b.Columns) Add(Splits.SplitAssigner.Canonical(c.GetValue(r)));
                sha.AppendData([0x1E]);
            }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
