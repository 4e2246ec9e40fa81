using System.Collections.Concurrent;
using QueryLake.Columnar;
using QueryLake.Formats.Ipc;

namespace QueryLake.Storage.Fragments;

/// <summary>Open Arrow data files of a dataset, memory-mapped, with their decoded batches.</summary>
internal sealed class FileCache
{
    private readonly ConcurrentDictionary<string, CachedFile> _files = new();

    public CachedFile Get(string path) => _files.GetOrAdd(path, p => new CachedFile(ArrowFileReader.Open(p)));

    public void Clear() => _files.Clear();
}

internal sealed class CachedFile(ArrowFileReader reader)
{
    private readonly RecordBatch?[] _batches = new RecordBatch?[reader.RecordBatchCount];

    public RecordBatch Batch(int index)
    {
        if ((uint)index >= (uint)_batches.Length)
            throw new Errors.CorruptFileException(reader.Path, $"has {_batches.Length} batches, batch {index} was asked for");
        return _batches[index] ??= reader.ReadRecordBatch(index);
    }
}
