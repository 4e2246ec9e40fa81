using QueryLake.Storage.Stores;

namespace QueryLake.Storage.Cache;

/// <summary>
/// A data file on object storage, read by byte ranges: the Arrow reader asks for the ranges it decodes (the schema and
/// footer, a batch's metadata, a column of a batch), and each is one ranged GET, or a hit in the local
/// <see cref="RangeCache"/>. A request shorter than <see cref="MinRead"/> is widened to it, so a batch's metadata and
/// its length prefix come in one request. Small ranges stay in memory while the file is open; large ones are held
/// weakly (the decoded columns keep what they use), so the range a checksum verified is decoded without a second read.
/// </summary>
internal sealed class RemoteFile(LakeStorage storage, string path, long length, string? tag, RangeCache? cache)
{
    /// <summary>Reads shorter than this are widened to it (at most to the file's end).</summary>
    public const int MinRead = 64 << 10;

    private readonly List<(long Offset, byte[] Bytes)> _small = [];
    private readonly List<(long Offset, int Length, WeakReference<byte[]> Bytes)> _large = [];

    public string Path => path;

    public long Length => length;

    public ReadOnlyMemory<byte> Slice(long offset, int count)
    {
        if (count == 0) return ReadOnlyMemory<byte>.Empty;
        lock (_small)
        {
            foreach (var (o, b) in _small)
                if (o <= offset && offset + count <= o + b.Length) return b.AsMemory((int)(offset - o), count);
            foreach (var (o, n, weak) in _large)
                if (o <= offset && offset + count <= o + n && weak.TryGetTarget(out var b)) return b.AsMemory((int)(offset - o), count);
        }
        if (count < MinRead)
        {
            int wide = (int)Math.Min(MinRead, length - offset);
            var bytes = Fetch(offset, Math.Max(wide, count));
            lock (_small)
            {
                if (_small.Count >= 4096) _small.Clear();
                _small.Add((offset, bytes));
            }
            return bytes.AsMemory(0, count);
        }
        var large = Fetch(offset, count);
        lock (_small)
        {
            _large.RemoveAll(r => !r.Bytes.TryGetTarget(out _));
            _large.Add((offset, count, new WeakReference<byte[]>(large)));
        }
        return large;
    }

    /// <summary>Exactly [offset, offset + count): one GET (or a cache hit), neither widened nor kept.</summary>
    public ReadOnlyMemory<byte> Exact(long offset, int count) => count == 0 ? ReadOnlyMemory<byte>.Empty : Fetch(offset, count);

    private byte[] Fetch(long offset, int count)
    {
        // Cached by the file's full location (in the lake, or a cold tier's outside it) and checksum.
        if (cache?.TryGet(path, "", tag, offset, count) is { } cached) return cached;
        var bytes = storage.Read(path, offset, count);
        if (bytes.Length != count)
            throw new Errors.CorruptFileException(path, $"is shorter than its manifest records: reading [{offset}, {offset + count}) returned {bytes.Length} bytes of a {length}-byte file");
        cache?.Put(path, "", tag, offset, bytes);
        return bytes;
    }
}
