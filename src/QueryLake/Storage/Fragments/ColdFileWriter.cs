using QueryLake.Columnar;
using QueryLake.Formats.Parquet;
using QueryLake.Kernels;
using QueryLake.Storage.Integrity;
using QueryLake.Storage.Manifests;

namespace QueryLake.Storage.Fragments;

/// <summary>Writes one cold-tier data file of a fragment: Parquet with zstd, one row group per batch (so the fragment's
/// batch boundaries hold), the Arrow schema recorded for exact types, per-column statistics for pruning, and the
/// whole file's XXH3. DuckDB, pyarrow and Spark read these files directly. On object storage the file is written
/// locally, then uploaded by <see cref="Finish"/>.</summary>
internal sealed class ColdFileWriter : IDisposable
{
    private readonly Stores.LakeStorage _storage;
    private readonly string _relativePath, _target, _local;
    private readonly bool _remote;
    private readonly IReadOnlyList<int> _fieldIds;
    private readonly ParquetFileWriter _writer;
    private readonly StatisticsCollector?[] _stats;
    private bool _done;

    // location: where the cold tier lives when not in the lake (an s3:// location or an absolute folder), under which
    // the file goes to <dataset>/data/ and the manifest records its absolute path.
    public ColdFileWriter(Stores.LakeStorage storage, string datasetPath, Schema schema, IReadOnlyList<int> fieldIds, string? location = null)
    {
        _storage = storage;
        var name = $"data/{Guid.NewGuid():N}.parquet";
        _target = location is null ? Path.Combine(datasetPath, name) : $"{location.TrimEnd('/')}/{Path.GetFileName(datasetPath)}/{name}";
        _relativePath = location is null ? name : _target;
        _remote = storage.LocalPath(_target) is null;
        _local = storage.LocalPath(_target) ?? Path.Combine(Path.GetTempPath(), $"querylake-upload-{Guid.NewGuid():N}.parquet");
        Directory.CreateDirectory(Path.GetDirectoryName(_local)!);
        _fieldIds = fieldIds;
        _writer = new ParquetFileWriter(_local, schema, new ParquetWriteOptions { Compression = "zstd", RowGroupSize = int.MaxValue });
        _stats = schema.Fields.Select(f => StatisticsCollector.Supports(f.DataType) ? new StatisticsCollector(f.DataType) : null).ToArray();
    }

    public List<int> BatchRows { get; } = [];

    /// <summary>Writes one batch of the fragment as one row group.</summary>
    public void Write(RecordBatch batch)
    {
        var plain = new RecordBatch(batch.Schema, batch.Columns.Select(Vectors.Plain).ToArray(), batch.Length);
        _writer.Write(plain);
        _writer.EndRowGroup();
        for (int i = 0; i < _stats.Length; i++) _stats[i]?.Add(plain.Columns[i]);
        BatchRows.Add(batch.Length);
    }

    public DataFileRecord Finish()
    {
        _writer.Finish();
        _done = true;
        var record = new DataFileRecord
        {
            Path = _relativePath, FieldIds = _fieldIds.ToList(), Bytes = new FileInfo(_local).Length, Checksum = FileChecksum.Of(_local),
            Format = DataFileRecord.Parquet,
        };
        for (int i = 0; i < _stats.Length; i++)
            if (_stats[i] is { } s) record.Stats[_fieldIds[i].ToString(System.Globalization.CultureInfo.InvariantCulture)] = s.Build();
        if (_remote)
        {
            try { _storage.Upload(_target, _local); }
            finally { TryDelete(_local); }
        }
        return record;
    }

    public void Dispose()
    {
        if (_done) return;
        _writer.Dispose();
        if (_remote) TryDelete(_local);
    }

    private static void TryDelete(string file)
    {
        try { File.Delete(file); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
