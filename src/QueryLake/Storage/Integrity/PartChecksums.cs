using System.Buffers.Binary;
using System.IO.Hashing;
using QueryLake.Errors;
using QueryLake.Formats.Ipc;
using QueryLake.Storage.Manifests;

namespace QueryLake.Storage.Integrity;

/// <summary>
/// Checksums of a data file's parts (<see cref="IpcPartHashes"/>: prefix, each batch's metadata, each column of each
/// batch, suffix), so a read verifies only what it reads. The writer hashes the parts as it writes them; a process
/// verifies the prefix and suffix when it opens the file (before trusting its footer), a batch's metadata before
/// decoding it, and a column the first time a scan reads it. A scan of one column of many hashes that column only. The
/// parts cover every byte of the file; the whole-file checksum (<see cref="FileChecksum"/>) stays for CHECK DATASET.
/// </summary>
internal static class PartChecksums
{
    /// <summary>The manifest record of what a writer hashed.</summary>
    public static PartsRecord Record(IpcPartHashes hashes)
    {
        int stride = hashes.Batches.Count == 0 ? 0 : hashes.Batches[0].Length;
        var bytes = new byte[8 * stride * hashes.Batches.Count];
        int k = 0;
        foreach (var batch in hashes.Batches)
            foreach (var h in batch) BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8 * k++), h);
        return new PartsRecord
        {
            PrefixEnd = hashes.PrefixEnd, Prefix = FileChecksum.Hex(hashes.Prefix!.Value),
            SuffixStart = hashes.SuffixStart, Suffix = FileChecksum.Hex(hashes.Suffix!.Value),
            Batches = Convert.ToBase64String(bytes),
        };
    }

    /// <summary>Verifies the prefix and suffix from the file itself (read, not mapped), before its footer is trusted.</summary>
    public static void VerifyEnds(string path, PartsRecord r)
    {
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
            VerifyEnds(path, fs.Length, (start, length) =>
            {
                var buffer = new byte[length];
                fs.Position = start;
                fs.ReadExactly(buffer);
                return buffer;
            }, r);
        }
        catch (IOException e) { throw new CorruptFileException(path, $"cannot be read to verify its checksums: {Errors.ErrorText.Describe(e)}", e); }
    }

    /// <summary>Verifies the prefix and suffix of a file of <paramref name="length"/> bytes read through
    /// <paramref name="read"/>(offset, length) (a file on object storage).</summary>
    public static void VerifyEnds(string path, long length, Func<long, int, ReadOnlyMemory<byte>> read, PartsRecord r)
    {
        if (r.PrefixEnd < 0 || r.PrefixEnd > length || r.SuffixStart < r.PrefixEnd || r.SuffixStart > length || length - r.SuffixStart > int.MaxValue || r.PrefixEnd > int.MaxValue)
            throw new CorruptFileException(path, $"is {length} bytes, but its manifest records parts at {r.PrefixEnd} and {r.SuffixStart}; the file was changed or damaged after it was written");
        Check(path, read(0, (int)r.PrefixEnd).Span, r.Prefix, "its schema");
        Check(path, read(r.SuffixStart, (int)(length - r.SuffixStart)).Span, r.Suffix, "its footer or dictionaries");
    }

    private static void Check(string path, ReadOnlySpan<byte> bytes, string expected, string what)
    {
        var actual = FileChecksum.Hex(XxHash3.HashToUInt64(bytes));
        if (!string.Equals(actual, expected, StringComparison.Ordinal))
            throw Mismatch(path, what, expected, actual);
    }

    private static CorruptFileException Mismatch(string path, string what, string expected, string actual) =>
        new(path, $"checksum mismatch in {what}: the manifest records xxh3 {expected}, the bytes hash to {actual}; the file was changed or damaged after it was written");

    /// <summary>What one open file verifies lazily: each batch's metadata and each of its columns, once.</summary>
    public sealed class Verifier
    {
        private readonly ArrowFileReader _reader;
        private readonly ulong[] _expected;
        private readonly bool[] _done;
        private readonly int _stride;

        public Verifier(ArrowFileReader reader, PartsRecord record)
        {
            _reader = reader;
            _stride = 1 + reader.Schema.Fields.Count;
            byte[] bytes;
            try { bytes = Convert.FromBase64String(record.Batches); }
            catch (FormatException) { throw new CorruptFileException(reader.Path, "its manifest's part checksums are not base64"); }
            if (bytes.Length != 8L * _stride * reader.RecordBatchCount)
                throw new CorruptFileException(reader.Path, $"has {reader.RecordBatchCount} batches of {_stride - 1} columns, but its manifest records {bytes.Length / 8} part checksums");
            _expected = new ulong[bytes.Length / 8];
            for (int i = 0; i < _expected.Length; i++) _expected[i] = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(8 * i));
            _done = new bool[_expected.Length];
        }

        /// <summary>Verifies batch <paramref name="batch"/>'s metadata (before it is decoded).</summary>
        public void Metadata(int batch)
        {
            int k = batch * _stride;
            if (Volatile.Read(ref _done[k])) return;
            var (s, e) = _reader.MetadataRange(batch);
            Compare(k, s, e, $"batch {batch}'s metadata");
        }

        /// <summary>Verifies column <paramref name="column"/> of batch <paramref name="batch"/> (after its metadata).</summary>
        public void Column(int batch, int column)
        {
            int k = batch * _stride + 1 + column;
            if (Volatile.Read(ref _done[k])) return;
            Metadata(batch);
            var (s, e) = _reader.ColumnRange(batch, column);
            Compare(k, s, e, $"column '{_reader.Schema.Fields[column].Name}' of batch {batch}");
        }

        private void Compare(int k, long start, long end, string what)
        {
            ulong actual = XxHash3.HashToUInt64(_reader.Bytes(start, end).Span);
            if (actual != _expected[k])
                throw Mismatch(_reader.Path, what, FileChecksum.Hex(_expected[k]), FileChecksum.Hex(actual));
            Volatile.Write(ref _done[k], true);
        }
    }
}
