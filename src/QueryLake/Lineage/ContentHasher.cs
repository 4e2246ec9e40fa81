using System.Security.Cryptography;
using System.Text;
using QueryLake.Columnar;

namespace QueryLake.Lineage;

/// <summary>Builds a <see cref="ContentHash"/> batch by batch, so a streaming export can hash what it writes.</summary>
internal sealed class ContentHasher : IDisposable
{
    private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public ContentHasher(Schema schema)
    {
        foreach (var f in schema.Fields) { Add(f.Name); Add(f.DataType.ToString()); }
    }

    private void Add(string s) { _sha.AppendData(Encoding.UTF8.GetBytes(s)); _sha.AppendData([0x1F]); }

    public void Add(RecordBatch b)
    {
        for (int r = 0; r < b.Length; r++)
        {
            foreach (var c in b.Columns) Add(Splits.SplitAssigner.Canonical(c.GetValue(r)));
            _sha.AppendData([0x1E]);
        }
    }

    /// <summary>Passes the batches through, hashing each.</summary>
    public IEnumerable<RecordBatch> Tap(IEnumerable<RecordBatch> batches)
    {
        foreach (var b in batches) { Add(b); yield return b; }
    }

    public string Finish() => Convert.ToHexStringLower(_sha.GetHashAndReset());

    public void Dispose() => _sha.Dispose();
}
