using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Types;
using QueryLake.Formats.Images;

namespace QueryLake.Export;

/// <summary>
/// Writes WebDataset shards: POSIX (ustar) tar files in which each sample is a group of consecutive files sharing a
/// key (<c>000000042.image.jpg</c>, <c>000000042.label.txt</c>, …), one file per field. Images keep their bytes and
/// get the extension of their format; other blobs are <c>.bin</c>; strings, numbers, booleans and dates are UTF-8
/// text (<c>.txt</c>); float vectors (embeddings) are NumPy <c>.npy</c> arrays; other lists and structs are
/// <c>.json</c>. NULL fields are left out. A <c>__key__</c> column, when present, names the samples.
/// </summary>
internal sealed class WebDatasetWriter : IDisposable
{
    private readonly FileStream _out;
    private readonly Schema _schema;
    private readonly int _keyColumn;
    private long _sample;

    public WebDatasetWriter(string path, Schema schema, long firstSample = 0)
    {
        // A member is named <key>.<column>.<ext>: a column whose name could move it out of the shard's folder on
        // extraction (a separator, '..', a control character) is refused before anything is written.
        foreach (var f in schema.Fields)
            if (f.Name != "__key__" && (f.Name.Length == 0 || f.Name.Contains('/') || f.Name.Contains('\\') || f.Name.Contains("..", StringComparison.Ordinal)
                || f.Name.StartsWith('.') || f.Name.Any(char.IsControl)))
                throw new Errors.QueryLakeException("QL-BAD-NAME", $"column '{new string(f.Name.Select(c => char.IsControl(c) ? '?' : c).ToArray())}' cannot name a WebDataset member " +
                    "(no '/', '\\', '..', leading '.' or control characters); rename it with AS");
        _out = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        _schema = schema;
        _keyColumn = schema.IndexOf("__key__");
        _sample = firstSample;
    }

    public long Rows { get; private set; }

    /// <summary>Writes a batch's samples; <paramref name="sampleNumbers"/>, when given, numbers them (their position in
    /// the whole export), else they are numbered in order.</summary>
    public void Write(RecordBatch b, ReadOnlySpan<long> sampleNumbers = default)
    {
        for (int r = 0; r < b.Length; r++, Rows++, _sample++)
        {
            long number = sampleNumbers.IsEmpty ? _sample : sampleNumbers[r];
            string key = _keyColumn >= 0 && b.Columns[_keyColumn].GetValue(r) is { } k
                ? Convert.ToString(k, CultureInfo.InvariantCulture)!
                : number.ToString("D9", CultureInfo.InvariantCulture);
            key = SafeKey(key);
            for (int c = 0; c < b.Columns.Count; c++)
            {
                if (c == _keyColumn || b.Columns[c].IsNull(r)) continue;
                var (ext, bytes) = Field(b.Columns[c], r, _schema.Fields[c].DataType);
                Entry($"{key}.{_schema.Fields[c].Name}.{ext}", bytes);
            }
        }
    }

    /// <summary>A sample key as a member name: separators, dots (which start the extension) and control characters
    /// become '_', so a key can neither leave the shard's folder nor change which fields belong to a sample.</summary>
    private static string SafeKey(string key)
    {
        if (key.Length == 0) return "_";
        if (!key.Any(c => c is '/' or '\\' or '.' || char.IsControl(c))) return key;
        return new string(key.Select(c => c is '/' or '\\' or '.' || char.IsControl(c) ? '_' : c).ToArray());
    }

    private static (string Ext, byte[] Bytes) Field(ArrowArray a, int r, DataType type)
    {
        switch (a)
        {
            case BinaryArray bin when ((VariableBinaryType)a.Type.StorageType).IsUtf8:
                return ("txt", Encoding.UTF8.GetBytes(bin.GetString(r)!));
            case BinaryArray bin:
                var bytes = bin.GetBytes(r).ToArray();
                return (ImageHeader.Read(bytes) is { } h ? (h.Format == "jpeg" ? "jpg" : h.Format) : "bin", bytes);
            case FixedSizeListArray f when f.Values is PrimitiveArray<float>:
                return ("npy", Npy(f.GetFloats(r)));
            case ListArray or FixedSizeListArray or StructArray:
                {
                    using var ms = new MemoryStream();
                    using (var w = new Utf8JsonWriter(ms)) Formats.Text.TextWriters.Json(w, a.GetValue(r));
                    return ("json", ms.ToArray());
                }
            default:
                return ("txt", Encoding.UTF8.GetBytes(Formats.Text.TextWriters.Text(a.GetValue(r)!)));
        }
    }

    /// <summary>A NumPy .npy (format 1.0) little-endian float32 vector.</summary>
    private static byte[] Npy(ReadOnlySpan<float> v)
    {
        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({v.Length},), }}";
        int total = 10 + header.Length + 1;
        int pad = (64 - total % 64) % 64;
        header = header + new string(' ', pad) + "\n";
        var ms = new MemoryStream();
        ms.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        Span<byte> len = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)header.Length);
        ms.Write(len);
        ms.Write(Encoding.ASCII.GetBytes(header));
        ms.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(v));
        return ms.ToArray();
    }

    /// <summary>One ustar entry: a 512-byte header, then the content padded to 512 bytes.</summary>
    private void Entry(string name, byte[] content)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        if (nameBytes.Length > 100) throw new ArgumentException($"the tar entry name '{name}' is longer than 100 bytes; shorten the column names or the __key__ values");
        var h = new byte[512];
        nameBytes.CopyTo(h, 0);
        Octal(h, 100, 8, 0b110_100_100);     // mode 0644
        Octal(h, 108, 8, 0);                 // uid
        Octal(h, 116, 8, 0);                 // gid
        Octal(h, 124, 12, content.Length);   // size
        Octal(h, 136, 12, 0);                // mtime: fixed, so shards are byte-for-byte reproducible
        h[156] = (byte)'0';                  // a regular file
        "ustar\0"u8.CopyTo(h.AsSpan(257));
        "00"u8.CopyTo(h.AsSpan(263));
        for (int i = 148; i < 156; i++) h[i] = (byte)' ';
        long sum = 0;
        foreach (var x in h) sum += x;
        Octal(h, 148, 7, sum);
        h[155] = (byte)' ';
        _out.Write(h);
        _out.Write(content);
        int padding = (512 - content.Length % 512) % 512;
        if (padding > 0) _out.Write(new byte[padding]);
    }

    private static void Octal(byte[] h, int at, int width, long value)
    {
        var s = Convert.ToString(value, 8).PadLeft(width - 1, '0');
        Encoding.ASCII.GetBytes(s).CopyTo(h, at);
        h[at + width - 1] = 0;
    }

    /// <summary>Ends the archive with its two zero blocks.</summary>
    public void Finish()
    {
        _out.Write(new byte[1024]);
        _out.Flush(flushToDisk: true);
    }

    public void Dispose() => _out.Dispose();
}
