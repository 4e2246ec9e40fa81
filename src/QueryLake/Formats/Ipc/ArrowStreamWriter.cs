using QueryLake.Columnar;

namespace QueryLake.Formats.Ipc;

/// <summary>
/// Writes the Arrow IPC streaming format. A dictionary batch is sent before any record batch whose
/// dictionary differs from the one last sent for that column (a replacement, as the stream format allows).
/// </summary>
public sealed class ArrowStreamWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly IpcMessageWriter _writer;
    private readonly Dictionary<int, ArrayData> _sent = [];
    private bool _finished;

    /// <summary>Starts a stream on <paramref name="stream"/> by writing the schema message.</summary>
    public ArrowStreamWriter(Stream stream, Schema schema, IpcWriteOptions? options = null, bool leaveOpen = false)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        Schema = schema;
        _writer = new IpcMessageWriter(stream, options ?? IpcWriteOptions.Default);
        _writer.WriteSchema(schema);
    }

    /// <summary>The schema of every batch.</summary>
    public Schema Schema { get; }

    /// <summary>Writes a batch (and any dictionaries that changed).</summary>
    public void Write(RecordBatch batch)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        var columns = batch.Columns.Select(c => c.Data).ToArray();
        var dictionaries = DictionaryCollector.Collect(Schema, columns);
        for (int id = 0; id < dictionaries.Count; id++)
        {
            var values = dictionaries[id].Values!;
            if (_sent.TryGetValue(id, out var last) && ReferenceEquals(last, values)) continue;
            _writer.WriteDictionaryBatch(id, values, isDelta: false);
            _sent[id] = values;
        }
        _writer.WriteRecordBatch(batch.Length, columns);
    }

    /// <summary>Writes the end-of-stream marker.</summary>
    public void Finish()
    {
        if (_finished) return;
        _writer.WriteEndOfStream();
        _stream.Flush();
        _finished = true;
    }

    /// <summary>Finishes and closes the stream unless asked to leave it open.</summary>
    public void Dispose()
    {
        Finish();
        if (!_leaveOpen) _stream.Dispose();
    }
}
