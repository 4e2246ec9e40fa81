using System.Collections.Concurrent;
using QueryLake.Columnar;
using QueryLake.Formats.Ipc;

namespace QueryLake.Storage.Fragments;

/// <summary>Open Arrow data files of a lake, memory-mapped, with their decoded batches. Data files never change
/// once written, so entries stay valid; past <see cref="MaxFiles"/> the cache starts over (batches in use keep their
/// mappings alive). Decoded batches are held weakly: a batch some query still uses is shared, and the rest are the
/// collector's, so a scan that streams a dataset larger than memory keeps only the batches in flight (a compressed
/// file's batches are decompressed copies).</summary>
internal sealed class FileCache
{
    public const int MaxFiles = 4096;
    private readonly ConcurrentDictionary<string, CachedFile> _files = new();

    public CachedFile Get(string path)
    {
        if (_files.TryGetValue(path, out var cached)) return cached;
        if (_files.Count >= MaxFiles) _files.Clear();
        return _files.GetOrAdd(path, p => new CachedFile(ArrowFileReader.Open(p)));
    }

    public void Clear() => _files.Clear();
}

internal sealed class CachedFile(ArrowFileReader reader)
{
    private readonly WeakReference<RecordBatch>?[] _batches = new WeakReference<RecordBatch>?[reader.RecordBatchCount];

    public RecordBatch Batch(int index)
    {
        if ((uint)index >= (uint)_batches.Length)
            throw new Errors.CorruptFileException(reader.Path, $"has {_batches.Length} batches, batch {index} was asked for");
        if (Volatile.Read(ref _batches[index]) is { } weak && weak.TryGetTarget(out var kept)) return kept;
        var batch = reader.ReadRecordBatch(index);
        Volatile.Write(ref _batches[index], new WeakReference<RecordBatch>(batch));
        return batch;
    }
}
