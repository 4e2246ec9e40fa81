using System.Buffers.Binary;
using System.Text;
using QueryLake.Columnar;
using QueryLake.Columnar.Types;
using QueryLake.Formats.FlatBuffers;

namespace QueryLake.Formats.Ipc;

/// <summary>
/// Writes the Arrow IPC file format ("ARROW1" magic, messages, footer). Batches stream to the output as
/// they are written, so files of any size are written in constant memory. Dictionary-encoded columns
/// are merged into one dictionary per column, written before the footer, as the file format requires.
/// </summary>
public sealed class ArrowFileWriter : IDisposable
{
    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("ARROW1");
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly IpcMessageWriter _writer;
    private readonly List<IpcMessageWriter.Block> _batches = [];
    private readonly List<(DictionaryType Type, ArrayData? Values)> _dictionaryFields;
    private readonly Dictionary<int, DictionaryUnifier> _unifiers = [];
    private readonly Dictionary<int, ArrayData> _nestedDictionaries = [];
    /// <summary>Per field: whether dictionaries sit below its top level (only those fields are searched for them).</summary>
    private readonly bool[] _hasNestedDictionaries;
    private bool _finished;

    /// <summary>Starts a file on <paramref name="stream"/>.</summary>
    public ArrowFileWriter(Stream stream, Schema schema, IpcWriteOptions? options = null, bool leaveOpen = false)
        : this(stream, schema, options, leaveOpen, hashParts: false)
    {
    }

    /// <summary>Starts a file on <paramref name="stream"/>; with <paramref name="hashParts"/> it also hashes the file's
    /// parts as it writes them (<see cref="PartHashes"/>).</summary>
    internal ArrowFileWriter(Stream stream, Schema schema, IpcWriteOptions? options, bool leaveOpen, bool hashParts)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        Schema = schema;
        PartHashes = hashParts ? new IpcPartHashes() : null;
        _writer = new IpcMessageWriter(stream, options ?? IpcWriteOptions.Default, PartHashes);
        _dictionaryFields = DictionaryCollector.Collect(schema, null);
        _hasNestedDictionaries = schema.Fields.Select(f => f.DataType.StorageType is not DictionaryType && DictionaryCollector.Collect(new Schema([f]), null).Count > 0).ToArray();
        _writer.WriteRaw(Magic);
        _writer.WriteRaw([0, 0]);
        _writer.WriteSchema(schema);
    }

    /// <summary>Creates (or replaces) the file at <paramref name="path"/>.</summary>
    public static ArrowFileWriter Create(string path, Schema schema, IpcWriteOptions? options = null) =>
        new(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20), schema, options);

    /// <summary>The schema of every batch.</summary>
    public Schema Schema { get; }

    /// <summary>The hashes of the file's parts, when asked for; complete once the file is finished.</summary>
    internal IpcPartHashes? PartHashes { get; }

    /// <summary>Bytes written so far.</summary>
    public long BytesWritten => _writer.Position;

    /// <summary>Appends a batch, which must have <see cref="Schema"/>'s fields.</summary>
    public void Write(RecordBatch batch)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (!ReferenceEquals(batch.Schema, Schema) && (batch.Schema.Fields.Count != Schema.Fields.Count ||
            !batch.Schema.Fields.Zip(Schema.Fields).All(p => p.First.DataType.Equals(p.Second.DataType))))
            throw new ArgumentException("batch schema does not match the file schema");
        var columns = batch.Columns.Select(c => c.Data).ToArray();
        int dictIndex = 0;
        for (int i = 0; i < columns.Length; i++)
        {
            if (columns[i].Type.StorageType is DictionaryType dt)
            {
                if (!_unifiers.TryGetValue(dictIndex, out var u)) _unifiers[dictIndex] = u = new DictionaryUnifier(dt);
                columns[i] = u.Reencode(columns[i]);
                dictIndex++;
            }
            else if (_hasNestedDictionaries[i])
            {
                var nested = DictionaryCollector.Collect(new Schema([Schema.Fields[i]]), [columns[i]]);
                foreach (var (_, values) in nested)
                {
                    if (_nestedDictionaries.TryGetValue(dictIndex, out var first))
                    {
                        if (!ReferenceEquals(first, values))
                            throw new NotSupportedException($"column '{Schema.Fields[i].Name}': nested dictionaries must be the same in every batch of an Arrow file");
                    }
                    else _nestedDictionaries[dictIndex] = values!;
                    dictIndex++;
                }
            }
        }
        _batches.Add(_writer.WriteRecordBatch(batch.Length, columns));
    }

    /// <summary>Writes the dictionaries, the end-of-stream marker and the footer. Called by <see cref="Dispose"/> if needed.</summary>
    public void Finish()
    {
        if (_finished) return;
        var dictionaries = new List<IpcMessageWriter.Block>();
        for (int id = 0; id < _dictionaryFields.Count; id++)
        {
            ArrayData? values = _unifiers.TryGetValue(id, out var u) ? u.Values()
                : _nestedDictionaries.GetValueOrDefault(id);
            values ??= Columnar.Builders.ArrayBuilder.Create(_dictionaryFields[id].Type.ValueType).BuildData();
            dictionaries.Add(_writer.WriteDictionaryBatch(id, values, isDelta: false));
        }
        _writer.WriteEndOfStream();
        var b = new FlatBufferBuilder();
        int schema = ArrowSchemaCodec.Write(b, Schema);
        int dictVec = b.CreateStructVector(Blocks(dictionaries), dictionaries.Count, 8);
        int batchVec = b.CreateStructVector(Blocks(_batches), _batches.Count, 8);
        b.StartTable(5);
        b.AddInt16(0, IpcMessageWriter.MetadataVersionV5);
        b.AddOffset(1, schema);
        b.AddOffset(2, dictVec);
        b.AddOffset(3, batchVec);
        var footer = b.Finish(b.EndTable());
        _writer.WriteRaw(footer);
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(len, footer.Length);
        _writer.WriteRaw(len);
        _writer.WriteRaw(Magic);
        PartHashes?.Finish(_writer.Position);
        _stream.Flush();
        _finished = true;
    }

    private static byte[] Blocks(List<IpcMessageWriter.Block> blocks)
    {
        var bytes = new byte[24 * blocks.Count];
        for (int i = 0; i < blocks.Count; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(24 * i), blocks[i].Offset);
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(24 * i + 8), blocks[i].MetadataLength);
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(24 * i + 16), blocks[i].BodyLength);
        }
        return bytes;
    }

    /// <summary>Finishes the file (if not yet done) and closes the stream unless asked to leave it open.</summary>
    public void Dispose()
    {
        Finish();
        if (!_leaveOpen) _stream.Dispose();
    }
}
