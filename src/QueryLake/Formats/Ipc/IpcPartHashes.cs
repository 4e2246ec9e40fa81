using System.IO.Hashing;

namespace QueryLake.Formats.Ipc;

/// <summary>
/// XXH3-64 of an Arrow file's parts, computed by <see cref="ArrowFileWriter"/> from the bytes as it writes them, so a
/// reader can verify only what it reads. The parts cover the file without gaps:
/// <list type="bullet">
/// <item>the prefix: every byte before the first record batch (magic, schema message);</item>
/// <item>for each record batch: its metadata (the block's first <c>metaDataLength</c> bytes), then for each top-level
/// column the body bytes from its first buffer's offset to the next column's first buffer offset (the body's end for
/// the last column), padding included — the ranges <see cref="ArrowFileReader.ColumnRange"/> derives from the
/// metadata;</item>
/// <item>the suffix: every byte after the last record batch (dictionaries, end-of-stream marker, footer).</item>
/// </list>
/// A file without record batches is all prefix and an empty suffix.
/// </summary>
internal sealed class IpcPartHashes
{
    private readonly XxHash3 _running = new();
    private bool _inBatch;

    /// <summary>XXH3 of the bytes before the first record batch (null until a batch or the end is written).</summary>
    public ulong? Prefix { get; private set; }

    /// <summary>XXH3 of the bytes after the last record batch (null until the file is finished).</summary>
    public ulong? Suffix { get; private set; }

    /// <summary>Where the prefix ends: the first record batch's offset (the file's length without batches).</summary>
    public long PrefixEnd { get; private set; } = -1;

    /// <summary>Where the suffix starts: the end of the last record batch's body.</summary>
    public long SuffixStart { get; private set; } = -1;

    /// <summary>Per record batch: its metadata's hash, then one per top-level column.</summary>
    public List<ulong[]> Batches { get; } = [];

    /// <summary>Bytes written outside a record batch.</summary>
    internal void Raw(ReadOnlySpan<byte> bytes)
    {
        if (!_inBatch) _running.Append(bytes);
    }

    /// <summary>A record batch is about to be written: what came before it is the prefix (first batch) or belongs
    /// to no part (nothing, as batches follow each other without gaps).</summary>
    internal void BeginBatch(long position)
    {
        if (Prefix is null)
        {
            Prefix = _running.GetCurrentHashAsUInt64();
            PrefixEnd = position;
        }
        _running.Reset();
        _inBatch = true;
    }

    /// <summary>The batch's part hashes, computed by the writer from the bytes it wrote.</summary>
    internal void EndBatch(ulong[] hashes, long position)
    {
        SuffixStart = position;
        Batches.Add(hashes);
        _inBatch = false;
    }

    /// <summary>The file is complete.</summary>
    internal void Finish(long position)
    {
        if (Prefix is null)
        {
            Prefix = _running.GetCurrentHashAsUInt64();
            PrefixEnd = SuffixStart = position;
            _running.Reset();
        }
        Suffix = _running.GetCurrentHashAsUInt64();
    }
}
