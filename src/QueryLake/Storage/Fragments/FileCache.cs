using System.Collections.Concurrent;
using QueryLake.Columnar;
using QueryLake.Formats.Ipc;

using QueryLake.Storage.Integrity;
using QueryLake.Storage.Manifests;

namespace QueryLake.Storage.Fragments;

/// <summary>Open Arrow data files of a lake, memory-mapped, with their decoded batches. Data files never change
/// once written, so entries stay valid; past <see cref="MaxFiles"/> the cache starts over (batches in use keep their
/// mappings alive). A decoded batch of an uncompressed file is a set of views of the mapping and is kept (decoding it
/// again costs a warm query dearly: TPC-H q06 58 → 350 ms); a compressed file's batches are decompressed copies and
/// are held weakly, so a scan that streams a compressed dataset larger than memory keeps only the batches in flight.</summary>
internal sealed class FileCache
{
    public const int MaxFiles = 4096;

    /// <summary>Whether reads verify checksums (always, except in the benchmark that measures what they cost).</summary>
    internal static bool VerifyChecksums { get; set; } = true;

    private readonly ConcurrentDictionary<string, CachedFile> _files = new();

    /// <summary>The open file at <paramref name="path"/>, verified against the checksums its manifest records, so a
    /// damaged file fails with QL-CORRUPT instead of returning wrong values. A file with part checksums
    /// (<paramref name="parts"/>, <see cref="PartChecksums"/>) has its schema and footer verified here, each batch's
    /// metadata before it is decoded and each column when first read (<see cref="CachedFile.Column"/>); one with only a
    /// whole-file <paramref name="checksum"/> (<see cref="FileChecksum"/>) is hashed whole here.</summary>
    public CachedFile Get(string path, string? checksum, PartsRecord? parts)
    {
        if (_files.TryGetValue(path, out var cached)) return cached;
        if (_files.Count >= MaxFiles) _files.Clear();
        if (!VerifyChecksums) (checksum, parts) = (null, null);
        return _files.GetOrAdd(path, p =>
        {
            if (parts is not null) PartChecksums.VerifyEnds(p, parts);
            else FileChecksum.Verify(p, checksum);
            var reader = ArrowFileReader.Open(p);
            return new CachedFile(reader, parts is null ? null : new PartChecksums.Verifier(reader, parts));
        });
    }

    public void Clear() => _files.Clear();
}

internal sealed class CachedFile(ArrowFileReader reader, PartChecksums.Verifier? verifier = null)
{
    /// <summary>Column <paramref name="column"/> of batch <paramref name="index"/>, its checksum verified the first time.</summary>
    public Columnar.Arrays.ArrowArray Column(int index, int column)
    {
        var batch = Batch(index);
        verifier?.Column(index, column);
        return batch.Columns[column];
    }

    /// <summary>Each batch read: the batch itself (views of the mapping) or a weak reference to it (a decompressed copy).</summary>
    private readonly object?[] _batches = new object?[reader.RecordBatchCount];

    public RecordBatch Batch(int index)
    {
        if ((uint)index >= (uint)_batches.Length)
            throw new Errors.CorruptFileException(reader.Path, $"has {_batches.Length} batches, batch {index} was asked for");
        switch (Volatile.Read(ref _batches[index]))
        {
            case RecordBatch kept: return kept;
            case WeakReference<RecordBatch> weak when weak.TryGetTarget(out var alive): return alive;
        }
        verifier?.Metadata(index);
        var batch = reader.ReadRecordBatch(index, out bool decompressed);
        Volatile.Write(ref _batches[index], decompressed ? new WeakReference<RecordBatch>(batch) : batch);
        return batch;
    }
}
