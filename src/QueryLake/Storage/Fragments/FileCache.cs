using System.Collections.Concurrent;
using QueryLake.Columnar;
using QueryLake.Formats.Ipc;

using QueryLake.Storage.Integrity;
using QueryLake.Storage.Manifests;

namespace QueryLake.Storage.Fragments;

/// <summary>Open Arrow data files of a lake (memory-mapped in a folder, read by ranges on object storage), with their decoded batches. Data files never change
/// once written, so entries stay valid; past <see cref="MaxFiles"/> the cache starts over (batches in use keep their
/// mappings alive). A decoded batch of an uncompressed file is a set of views of the mapping and is kept (decoding it
/// again costs a warm query dearly: TPC-H q06 58 → 350 ms); a compressed file's batches are decompressed copies and
/// are held weakly, so a scan that streams a compressed dataset larger than memory keeps only the batches in flight.</summary>
internal sealed class FileCache(Stores.LakeStorage storage)
{
    public const int MaxFiles = 4096;

    /// <summary>Whether reads verify checksums (always, except in the benchmark that measures what they cost).</summary>
    internal static bool VerifyChecksums { get; set; } = true;

    private readonly ConcurrentDictionary<string, IFragmentFile> _files = new();

    /// <summary>Where the lake's files live.</summary>
    public Stores.LakeStorage Storage => storage;

    /// <summary>The local cache of ranges read from object storage (null: none; a folder lake needs none).</summary>
    public Cache.RangeCache? Ranges { get; set; } = storage.IsLocal ? null : Cache.RangeCache.OpenDefault(Cache.RangeCache.DefaultCapacity);

    /// <summary>The size <see cref="Ranges"/> has, or takes when one is opened.</summary>
    public long CacheCapacity { get; set; } = Cache.RangeCache.DefaultCapacity;

    /// <summary>The open data file <paramref name="file"/> at <paramref name="path"/>, verified against the checksums its
    /// manifest records, so a damaged file fails with QL-CORRUPT instead of returning wrong values. A file with part
    /// checksums (<see cref="PartChecksums"/>) has its schema and footer verified here, each batch's metadata before it is
    /// decoded and each column when first read (<see cref="CachedFile.Column"/>); one with only a whole-file checksum
    /// (<see cref="FileChecksum"/>) is hashed whole here. In a folder lake the file is memory-mapped; on object storage
    /// it is read by byte ranges (<see cref="Cache.RemoteFile"/>), only those of the columns a query reads.</summary>
    public IFragmentFile Get(string path, DataFileRecord file)
    {
        if (_files.TryGetValue(path, out var cached)) return cached;
        if (_files.Count >= MaxFiles) _files.Clear();
        var (checksum, parts) = VerifyChecksums ? (file.Checksum, file.Parts) : (null, null);
        return _files.GetOrAdd(path, p => file.IsCold ? OpenCold(p, file, checksum) : OpenHot(p, file, checksum, parts));
    }

    /// <summary>A cold-tier Parquet file, its whole-file checksum verified first (Parquet files carry no part checksums:
    /// on object storage the whole file is read once, into the range cache).</summary>
    private ParquetFragmentFile OpenCold(string p, DataFileRecord file, string? checksum)
    {
        Formats.MappedFile bytes;
        if (storage.LocalPath(p) is { } local)
        {
            FileChecksum.Verify(local, checksum);
            bytes = Formats.MappedFile.Open(local);
        }
        else
        {
            long length = file.Bytes > 0 ? file.Bytes : storage.Head(p)?.Size ?? throw new Errors.CorruptFileException(p, "is named by the manifest but does not exist");
            var remote = new Cache.RemoteFile(storage, p, length, file.Checksum, Ranges);
            if (checksum is not null) FileChecksum.Verify(p, remote.Slice(0, checked((int)length)).Span, checksum);
            bytes = Formats.MappedFile.Over(p, length, remote.Slice);
        }
        return new ParquetFragmentFile(Formats.Parquet.ParquetFileReader.Open(bytes));
    }

    private CachedFile OpenHot(string p, DataFileRecord file, string? checksum, PartsRecord? parts)
    {
        {
            if (storage.LocalPath(p) is { } local)
            {
                if (parts is not null) PartChecksums.VerifyEnds(local, parts);
                else FileChecksum.Verify(local, checksum);
                var mapped = ArrowFileReader.Open(local);
                return new CachedFile(mapped, parts is null ? null : new PartChecksums.Verifier(mapped, parts), remote: false);
            }
            long length = file.Bytes > 0 ? file.Bytes : storage.Head(p)?.Size ?? throw new Errors.CorruptFileException(p, "is named by the manifest but does not exist");
            var remote = new Cache.RemoteFile(storage, p, length, file.Checksum, Ranges);
            if (parts is not null) PartChecksums.VerifyEnds(p, length, remote.Slice, parts);
            else if (checksum is not null) FileChecksum.Verify(p, remote.Slice(0, checked((int)length)).Span, checksum);
            var reader = ArrowFileReader.FromSource(p, length, remote.Slice, remote.Exact);
            return new CachedFile(reader, parts is null ? null : new PartChecksums.Verifier(reader, parts), remote: true);
        }
    }

    public void Clear() => _files.Clear();
}

internal sealed class CachedFile(ArrowFileReader reader, PartChecksums.Verifier? verifier, bool remote) : IFragmentFile
{
    /// <summary>Column <paramref name="column"/> of batch <paramref name="index"/>, its checksum verified the first time.
    /// A file on object storage reads and decodes that column alone (held weakly, like a decompressed batch).</summary>
    public Columnar.Arrays.ArrowArray Column(int index, int column)
    {
        if (!remote)
        {
            var batch = Batch(index);
            verifier?.Column(index, column);
            return batch.Columns[column];
        }
        CheckIndex(index);
        var slot = (long)index * reader.Schema.Fields.Count + column;
        lock (_columns)
            if (_columns.TryGetValue(slot, out var weak) && weak.TryGetTarget(out var alive)) return alive;
        verifier?.Column(index, column);
        var read = reader.ReadColumn(index, column);
        lock (_columns) _columns[slot] = new WeakReference<Columnar.Arrays.ArrowArray>(read);
        return read;
    }

    /// <summary>Rows <paramref name="rows"/> (ascending) of column <paramref name="column"/> of batch
    /// <paramref name="index"/>, in that order. On object storage, when they are a small part of the column, only their
    /// bytes are read (<see cref="ArrowFileReader.ReadColumnRows"/>); such a partial read is not covered by the column's
    /// part checksum, which hashes the whole column.</summary>
    public Columnar.Arrays.ArrowArray Rows(int index, int column, int[] rows)
    {
        if (remote && rows.Length * 8L < BatchLength(index))
        {
            lock (_columns)
                if (_columns.TryGetValue((long)index * reader.Schema.Fields.Count + column, out var weak) && weak.TryGetTarget(out var whole))
                    return Kernels.Gather.Rows(whole, rows);
            if (reader.ReadColumnRows(index, column, rows) is { } sparse) return Kernels.Gather.Rows(sparse, rows);
        }
        return Kernels.Gather.Rows(Column(index, column), rows);
    }

    /// <summary>Rows in batch <paramref name="index"/>, from its metadata (verified first).</summary>
    public int BatchLength(int index)
    {
        CheckIndex(index);
        verifier?.Metadata(index);
        return reader.GetRecordBatchLength(index);
    }

    private readonly Dictionary<long, WeakReference<Columnar.Arrays.ArrowArray>> _columns = [];

    /// <summary>Each batch read: the batch itself (views of the mapping) or a weak reference to it (a decompressed copy).</summary>
    private readonly object?[] _batches = new object?[reader.RecordBatchCount];

    private void CheckIndex(int index)
    {
        if ((uint)index >= (uint)_batches.Length)
            throw new Errors.CorruptFileException(reader.Path, $"has {_batches.Length} batches, batch {index} was asked for");
    }

    public RecordBatch Batch(int index)
    {
        CheckIndex(index);
        switch (Volatile.Read(ref _batches[index]))
        {
            case RecordBatch kept: return kept;
            case WeakReference<RecordBatch> weak when weak.TryGetTarget(out var alive): return alive;
        }
        verifier?.Metadata(index);
        var batch = reader.ReadRecordBatch(index, out bool decompressed);
        Volatile.Write(ref _batches[index], decompressed || remote ? new WeakReference<RecordBatch>(batch) : batch);
        return batch;
    }
}
