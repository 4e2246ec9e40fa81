using QueryLake.Columnar;
using QueryLake.Formats.Ipc;
using QueryLake.Storage.Manifests;

namespace QueryLake.Storage.Fragments;

/// <summary>Writes one data file of a fragment (an Arrow IPC file), collecting per-column statistics,
/// and fsyncs it before its manifest can refer to it.</summary>
internal sealed class DataFileWriter : IDisposable
{
    private readonly FileStream _stream;
    private readonly ArrowFileWriter _writer;
    private readonly StatisticsCollector?[] _stats;
    private readonly IReadOnlyList<int> _fieldIds;
    private readonly string _relativePath;
    private bool _done;

    public DataFileWriter(string datasetPath, Schema schema, IReadOnlyList<int> fieldIds, IpcWriteOptions options)
    {
        _relativePath = Path.Combine("data", $"{Guid.NewGuid():N}.arrow");
        var full = Path.Combine(datasetPath, _relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        _stream = new FileStream(full, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        _writer = new ArrowFileWriter(_stream, schema, options, leaveOpen: true);
        _stats = schema.Fields.Select(f => StatisticsCollector.Supports(f.DataType) ? new StatisticsCollector(f.DataType) : null).ToArray();
        _fieldIds = fieldIds;
    }

    public long Rows { get; private set; }
    public long Bytes => _writer.BytesWritten;
    public List<int> BatchRows { get; } = [];

    public void Write(RecordBatch batch)
    {
        _writer.Write(batch);
        for (int i = 0; i < _stats.Length; i++) _stats[i]?.Add(batch.Columns[i]);
        Rows += batch.Length;
        BatchRows.Add(batch.Length);
    }

    public DataFileRecord Finish()
    {
        _writer.Finish();
        _stream.Flush(flushToDisk: true);
        _stream.Dispose();
        _done = true;
        var record = new DataFileRecord { Path = _relativePath.Replace('\\', '/'), FieldIds = _fieldIds.ToList(), Bytes = _writer.BytesWritten };
        for (int i = 0; i < _stats.Length; i++)
            if (_stats[i] is { } s) record.Stats[_fieldIds[i].ToString(System.Globalization.CultureInfo.InvariantCulture)] = s.Build();
        return record;
    }

    public void Dispose()
    {
        if (!_done) _stream.Dispose();
    }
}
