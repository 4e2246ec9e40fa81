using System.Buffers.Binary;
using System.IO.Hashing;
using QueryLake.Errors;
using QueryLake.Formats.Ipc;
using QueryLake.Storage.Manifests;

namespace QueryLake.Storage.Integrity;

/// <summary>
/// Checksums of a data file's parts, so a read verifies only what it reads: the bytes before the first record batch
/// (magic, schema), the bytes after the last (dictionaries, footer), each batch's metadata, and each column's buffers
/// in each batch. All are XXH3-64. A process verifies the prefix and suffix when it opens the file, a batch's metadata
/// before decoding it, and a column the first time a scan reads it: a scan of one column of many hashes that column
/// only. What no part covers is padding between buffers, which no read interprets. The whole-file checksum
/// (<see cref="FileChecksum"/>) stays for CHECK DATASET.
/// </summary>
internal static class ChunkChecksums
{
    /// <summary>The record of the file at <paramref name="path"/>, computed by reading it back.</summary>
    public static ChunkRecord Compute(string path)
    {
        var reader = ArrowFileReader.Open(path);
        var (prefixEnd, suffixStart) = reader.Layout;
        long length = new FileInfo(path).Length;
        int columns = reader.Schema.Fields.Count;
        var hashes = new ulong[reader.RecordBatchCount * (1 + columns)];
        for (int b = 0, k = 0; b < reader.RecordBatchCount; b++)
        {
            var (ms, me) = reader.MetadataRange(b);
            hashes[k++] = Hash(reader, ms, me);
            foreach (var (cs, ce) in reader.ColumnRanges(b)) hashes[k++] = Hash(reader, cs, ce);
        }
        var bytes = new byte[8 * hashes.Length];
        for (int i = 0; i < hashes.Length; i++) BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8 * i), hashes[i]);
        return new ChunkRecord
        {
            PrefixEnd = prefixEnd, Prefix = FileChecksum.Hex(Hash(reader, 0, prefixEnd)),
            SuffixStart = suffixStart, Suffix = FileChecksum.Hex(Hash(reader, suffixStart, length)),
            Batches = Convert.ToBase64String(bytes),
        };
    }

    private static ulong Hash(ArrowFileReader reader, long start, long end) => XxHash3.HashToUInt64(reader.Bytes(start, end).Span);

    /// <summary>Verifies the prefix and suffix from the file itself, before its footer is trusted to open it.</summary>
    public static void VerifyEnds(string path, ChunkRecord r)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
        long length = fs.Length;
        if (r.PrefixEnd < 0 || r.PrefixEnd > length || r.SuffixStart < r.PrefixEnd || r.SuffixStart > length)
            throw new CorruptFileException(path, $"is {length} bytes, but its manifest records parts up to {Math.Max(r.PrefixEnd, r.SuffixStart)}; the file was changed or damaged after it was written");
        Check(path, Read(fs, 0, r.PrefixEnd), r.Prefix, "its schema");
        Check(path, Read(fs, r.SuffixStart, length), r.Suffix, "its footer or dictionaries");
    }

    private static byte[] Read(FileStream fs, long start, long end)
    {
        var buffer = new byte[end - start];
        fs.Position = start;
        fs.ReadExactly(buffer);
        return buffer;
    }

    private static void Check(string path, ReadOnlySpan<byte> bytes, string expected, string what)
    {
        var actual = FileChecksum.Hex(XxHash3.HashToUInt64(bytes));
        if (actual != expected)
            throw new CorruptFileException(path, $"checksum mismatch in {what}: the manifest records xxh3 {expected}, the bytes hash to {actual}; the file was changed or damaged after it was written");
    }

    /// <summary>What one open file verifies lazily: each batch's metadata and each of its columns, once.</summary>
    public sealed class Verifier(ArrowFileReader reader, ChunkRecord record)
    {
        private readonly ulong[] _expected = Decode(record.Batches);
        private readonly int _stride = 1 + reader.Schema.Fields.Count;
        private readonly bool[] _done = new bool[Decode(record.Batches).Length];

        private static ulong[] Decode(string base64)
        {
            var bytes = Convert.FromBase64String(base64);
            var result = new ulong[bytes.Length / 8];
            for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(8 * i));
            return result;
        }

        /// <summary>Verifies batch <paramref name="batch"/>'s metadata (before it is decoded).</summary>
        public void Metadata(int batch)
        {
            int k = batch * _stride;
            if (k >= _expected.Length) throw new CorruptFileException(reader.Path, $"has batch {batch}, which its manifest records no checksum for");
            if (Volatile.Read(ref _done[k])) return;
            var (s, e) = reader.MetadataRange(batch);
            Compare(k, s, e, $"batch {batch}'s metadata");
        }

        /// <summary>Verifies column <paramref name="column"/> of batch <paramref name="batch"/>.</summary>
        public void Column(int batch, int column)
        {
            int k = batch * _stride + 1 + column;
            if (Volatile.Read(ref _done[k])) return;
            var (s, e) = reader.ColumnRanges(batch)[column];
            Compare(k, s, e, $"column '{reader.Schema.Fields[column].Name}' of batch {batch}");
        }

        private void Compare(int k, long start, long end, string what)
        {
            ulong actual = Hash(reader, start, end);
            if (actual != _expected[k])
                throw new CorruptFileException(reader.Path, $"checksum mismatch in {what}: the manifest records xxh3 {FileChecksum.Hex(_expected[k])}, the bytes hash to {FileChecksum.Hex(actual)}; the file was changed or damaged after it was written");
            Volatile.Write(ref _done[k], true);
        }
    }
}
