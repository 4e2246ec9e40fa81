using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using QueryLake.Columnar;
using QueryLake.Kernels;

namespace QueryLake.Lineage;

/// <summary>
/// A content hash of rows in no order (<c>m1:</c> and 64 hex digits), for results whose rows are never in one place in
/// one order: a COPY … SHARDS that a cluster's workers write, each dealing its own rows into the shards. Each row hashes
/// to 64 bits from its columns' value hashes (<see cref="KeyHash"/>, so a value hashes alike whatever its encoding;
/// NULL hashes apart from every value; −0.0 counts as 0.0 and every NaN as one), mixed with the column's position. The
/// rows' hashes are summed in two independent 64-bit lanes, so parts hashed apart (<see cref="Part"/>) add up to the
/// hash of their union (<see cref="Add(Part)"/>), whatever the order. The result is SHA-256 over the column names and
/// types, the row count and both sums. Two results hash alike when they hold the same rows, each as often.
/// </summary>
internal sealed class RowSetHasher(Schema schema)
{
    /// <summary>What marks this algorithm's hashes.</summary>
    public const string Prefix = "m1:";

    private ulong _sum, _mixed;
    private long _rows;

    /// <summary>The sums so far: another process's part, to add with <see cref="Add(Part)"/>.</summary>
    public Part Sums => new(_sum, _mixed, _rows);

    /// <summary>Adds every row of <paramref name="b"/>.</summary>
    public void Add(RecordBatch b)
    {
        int n = b.Length;
        if (n == 0) return;
        var rows = new ulong[n];
        Array.Fill(rows, 0x27D4EB2F165667C5UL);
        for (int c = 0; c < b.Columns.Count; c++)
        {
            var column = b.Columns[c];
            var values = KeyHash.Of([column], n);
            bool nulls = column.NullCount > 0;
            ulong position = KeyHash.Mix((ulong)c + 1);
            for (int r = 0; r < n; r++)
            {
                ulong v = nulls && column.IsNull(r) ? 0x5555_5555_5555_5555UL : KeyHash.Mix(values[r] ^ 0x9E3779B97F4A7C15UL);
                rows[r] = KeyHash.Mix(rows[r] ^ (v + position));
            }
        }
        for (int r = 0; r < n; r++)
        {
            _sum += rows[r];
            _mixed += KeyHash.Mix(rows[r] ^ 0xC2B2AE3D27D4EB4FUL);
        }
        _rows += n;
    }

    /// <summary>Passes the batches through, hashing each.</summary>
    public IEnumerable<RecordBatch> Tap(IEnumerable<RecordBatch> batches)
    {
        foreach (var b in batches) { Add(b); yield return b; }
    }

    /// <summary>Adds the rows another hasher of the same columns summed.</summary>
    public void Add(Part part) => (_sum, _mixed, _rows) = (_sum + part.Sum, _mixed + part.Mixed, _rows + part.Rows);

    public string Finish()
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var f in schema.Fields) sha.AppendData(Encoding.UTF8.GetBytes($"{f.Name}\u001F{f.DataType}\u001F"));
        Span<byte> sums = stackalloc byte[24];
        BinaryPrimitives.WriteInt64LittleEndian(sums, _rows);
        BinaryPrimitives.WriteUInt64LittleEndian(sums[8..], _sum);
        BinaryPrimitives.WriteUInt64LittleEndian(sums[16..], _mixed);
        sha.AppendData(sums);
        return Prefix + Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>What a hasher summed: its two lanes and its rows.</summary>
    internal readonly record struct Part(ulong Sum, ulong Mixed, long Rows);
}
