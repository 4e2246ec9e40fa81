using QueryLake.Columnar;
using QueryLake.Columnar.Types;
using QueryLake.Formats.Ipc;
using QueryLake.Kernels;
using QueryLake.Storage.Manifests;

using QueryLake.Storage.Integrity;

namespace QueryLake.Storage.Fragments;

/// <summary>Writes one data file of a fragment (an Arrow IPC file), collecting per-column statistics,
/// and makes it durable before its manifest can refer to it (fsynced in a folder lake, uploaded whole to object storage). Text columns that repeat their values (at most one distinct
/// value in four rows of the first batch) are stored dictionary-encoded: one dictionary per file, int32 indices per
/// row, which scans hand to the engine as they are.</summary>
internal sealed class DataFileWriter : IDisposable
{
    /// <summary>A text column is encoded when its first batch has at most one distinct value per this many rows.</summary>
    public const int RowsPerDistinctValue = 4;

    private readonly FileStream _stream;
    private readonly FileChecksum.Stream _hashed;
    private readonly Schema _schema;
    private readonly IpcWriteOptions _options;
    private readonly bool _encodeText;
    private ArrowFileWriter? _writer;
    private bool[] _encoded = [];
    private readonly StatisticsCollector?[] _stats;
    private readonly IReadOnlyList<int> _fieldIds;
    private readonly string _relativePath;
    private readonly Stores.LakeStorage _storage;
    private readonly string _target;
    /// <summary>The local file being written: the data file itself in a folder lake, a staging file uploaded by
    /// <see cref="Finish"/> on object storage.</summary>
    private readonly string _local;
    private bool _done;

    public DataFileWriter(Stores.LakeStorage storage, string datasetPath, Schema schema, IReadOnlyList<int> fieldIds, IpcWriteOptions options, bool encodeText)
    {
        _relativePath = Path.Combine("data", $"{Guid.NewGuid():N}.arrow");
        _storage = storage;
        _target = Path.Combine(datasetPath, _relativePath);
        _local = storage.LocalPath(_target) ?? Path.Combine(Path.GetTempPath(), $"querylake-upload-{Guid.NewGuid():N}.arrow");
        Directory.CreateDirectory(Path.GetDirectoryName(_local)!);
        _stream = new FileStream(_local, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        _hashed = new FileChecksum.Stream(_stream);
        (_schema, _options, _encodeText) = (schema, options, encodeText);
        _stats = schema.Fields.Select(f => StatisticsCollector.Supports(f.DataType) ? new StatisticsCollector(f.DataType) : null).ToArray();
        _fieldIds = fieldIds;
    }

    public long Rows { get; private set; }
    public long Bytes => _writer?.BytesWritten ?? 0;
    public List<int> BatchRows { get; } = [];

    public void Write(RecordBatch batch)
    {
        // The file's schema (which columns are encoded) is decided by the first batch.
        _writer ??= Open(batch);
        _writer.Write(Encode(batch));
        for (int i = 0; i < _stats.Length; i++) _stats[i]?.Add(Vectors.Plain(batch.Columns[i]));
        Rows += batch.Length;
        BatchRows.Add(batch.Length);
    }

    private ArrowFileWriter Open(RecordBatch first)
    {
        _encoded = _schema.Fields.Select((f, i) => _encodeText && f.DataType.Equals(DataType.Utf8) && first.Length > 0
            && DictionaryEncoder.Distinct(first.Columns[i]) is var distinct && distinct > 0 && distinct * RowsPerDistinctValue <= first.Length).ToArray();
        var fields = _schema.Fields.Select((f, i) => _encoded[i] ? new Field(f.Name, DataType.DictionaryUtf8, f.Nullable, f.Metadata) : f).ToList();
        return new ArrowFileWriter(_hashed, new Schema(fields, _schema.Metadata), _options, leaveOpen: true, hashParts: true);
    }

    private RecordBatch Encode(RecordBatch batch)
    {
        // Encoded input (the engine's own batches) is written decoded where the file's column is plain.
        var columns = batch.Columns.Select((c, i) => _encoded[i] ? DictionaryEncoder.Encode(c) : Vectors.Plain(c)).ToArray();
        return new RecordBatch(_writer!.Schema, columns, batch.Length);
    }

    public DataFileRecord Finish()
    {
        _writer ??= new ArrowFileWriter(_hashed, _schema, _options, leaveOpen: true, hashParts: true);
        _writer.Finish();
        if (_storage.IsLocal) _stream.Flush(flushToDisk: true);
        _stream.Dispose();
        _done = true;
        if (!_storage.IsLocal)
        {
            try { _storage.Upload(_target, _local); }
            finally { TryDelete(_local); }
        }
        var record = new DataFileRecord { Path = _relativePath.Replace('\\', '/'), FieldIds = _fieldIds.ToList(), Bytes = _writer.BytesWritten, Checksum = _hashed.Checksum,
            Parts = PartChecksums.Record(_writer.PartHashes!) };
        for (int i = 0; i < _stats.Length; i++)
            if (_stats[i] is { } s) record.Stats[_fieldIds[i].ToString(System.Globalization.CultureInfo.InvariantCulture)] = s.Build();
        return record;
    }

    public void Dispose()
    {
        if (_done) return;
        _stream.Dispose();
        if (!_storage.IsLocal) TryDelete(_local);
    }

    private static void TryDelete(string file)
    {
        try { File.Delete(file); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
