using System.Security.Cryptography;
using System.Text;
using QueryLake.Columnar;

namespace QueryLake.Lineage;

/// <summary>The first content hash (records written before <see cref="ContentHasher"/>): SHA-256 over each value's
/// canonical text, row by row. Kept to compare old records with their rows now; 30× slower than the columnar hash.</summary>
internal sealed class TextContentHasher : IDisposable
{
    private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public TextContentHasher(Schema schema)
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

    public string Finish() => Convert.ToHexStringLower(_sha.GetHashAndReset());

    public void Dispose() => _sha.Dispose();
}
