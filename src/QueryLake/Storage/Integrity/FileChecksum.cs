using System.IO.Hashing;
using QueryLake.Errors;

namespace QueryLake.Storage.Integrity;

/// <summary>
/// The checksum a manifest records for each data file and deletion vector it references: XXH3 (64-bit) of the whole
/// file, as 16 lowercase hex digits (field <c>xxh3</c>). Writers hash as they write (<see cref="Stream"/>); readers
/// verify a file the first time a process opens it (<see cref="Fragments.FileCache"/>), and <c>CHECK DATASET</c> verifies every
/// file of a version again. A mismatch is <c>QL-CORRUPT</c> naming the file.
/// </summary>
internal static class FileChecksum
{
    /// <summary>The checksum of a whole file, read sequentially (no mapping: a mapping lives until the collector
    /// frees it, and a process verifying many files would run out of them).</summary>
    public static string Of(string path)
    {
        var hash = new XxHash3();
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
            int n;
            while ((n = fs.Read(buffer, 0, buffer.Length)) > 0) hash.Append(buffer.AsSpan(0, n));
        }
        finally { System.Buffers.ArrayPool<byte>.Shared.Return(buffer); }
        return Hex(hash.GetCurrentHashAsUInt64());
    }

    /// <summary>Fails with <see cref="CorruptFileException"/> (QL-CORRUPT) when the file does not hash to
    /// <paramref name="expected"/>; files written before checksums existed (null) are not checked.</summary>
    public static void Verify(string path, string? expected)
    {
        if (expected is null) return;
        string actual;
        try { actual = Of(path); }
        catch (IOException e) { throw new CorruptFileException(path, $"cannot be read to verify its checksum: {Errors.ErrorText.Describe(e)}", e); }
        if (!string.Equals(actual, expected, StringComparison.Ordinal))
            throw new CorruptFileException(path, $"checksum mismatch: the manifest records xxh3 {expected}, the file hashes to {actual}; the file was changed or damaged after it was written");
    }

    /// <summary><see cref="Verify(string, string?)"/> of bytes already read.</summary>
    public static void Verify(string path, ReadOnlySpan<byte> bytes, string? expected)
    {
        if (expected is null) return;
        var actual = Hex(XxHash3.HashToUInt64(bytes));
        if (!string.Equals(actual, expected, StringComparison.Ordinal))
            throw new CorruptFileException(path, $"checksum mismatch: the manifest records xxh3 {expected}, the file hashes to {actual}; the file was changed or damaged after it was written");
    }

    public static string Hex(ulong hash) => hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A write-only stream that hashes what passes through it to <paramref name="inner"/>.</summary>
    public sealed class Stream(System.IO.Stream inner) : System.IO.Stream
    {
        private readonly XxHash3 _hash = new();

        /// <summary>The checksum of everything written so far.</summary>
        public string Checksum => Hex(_hash.GetCurrentHashAsUInt64());

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            inner.Write(buffer);
            _hash.Append(buffer);
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void WriteByte(byte value) => Write([value]);
        public override void Flush() => inner.Flush();
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
