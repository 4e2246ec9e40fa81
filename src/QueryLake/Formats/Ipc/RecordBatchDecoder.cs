using System.Buffers.Binary;
using QueryLake.Columnar;
using QueryLake.Columnar.Memory;
using QueryLake.Columnar.Types;
using QueryLake.Formats.FlatBuffers;
using QueryLake.Native;

namespace QueryLake.Formats.Ipc;

/// <summary>
/// Rebuilds arrays from a RecordBatch table and its body. Uncompressed buffers are zero-copy slices of the
/// body (which may be a memory-mapped file); every length and offset is checked before use, and the
/// result is validated, so corrupt input fails with <see cref="FlatBufferException"/> or
/// <see cref="InvalidDataException"/> instead of misbehaving later.
/// </summary>
internal sealed class RecordBatchDecoder
{
    private readonly ReadOnlyMemory<byte> _body;
    private readonly byte[] _nodes;
    private readonly int _nodeCount;
    private readonly byte[] _buffers;
    private readonly int _bufferCount;
    private readonly IpcCompression _compression;

    /// <summary>Whether the batch's buffers are compressed (decoding then copies them out).</summary>
    public bool Compressed => _compression != IpcCompression.None;
    private readonly IReadOnlyList<(long Id, DictionaryType Type)> _dictionaryFields;
    private readonly Func<long, ArrayData> _dictionary;
    private int _nextNode, _nextBuffer, _nextDictionaryField;

    public RecordBatchDecoder(FlatTable batch, ReadOnlyMemory<byte> body,
        IReadOnlyList<(long Id, DictionaryType Type)> dictionaryFields, Func<long, ArrayData> dictionary)
    {
        long length = batch.GetInt64(0);
        if (length is < 0 or > int.MaxValue) throw new FlatBufferException($"record batch length {length} is out of range");
        Length = (int)length;
        _body = body;
        _nodes = batch.GetVectorBytes(1, 16, out _nodeCount).ToArray();
        _buffers = batch.GetVectorBytes(2, 16, out _bufferCount).ToArray();
        _compression = IpcCompression.None;
        if (batch.GetTable(3) is { } c)
        {
            if (c.GetByte(1) != 0) throw new FlatBufferException("unknown body compression method");
            _compression = c.GetByte(0) switch
            {
                0 => IpcCompression.Lz4Frame,
                1 => IpcCompression.Zstd,
                var x => throw new FlatBufferException($"unknown compression codec {x}"),
            };
        }
        _dictionaryFields = dictionaryFields;
        _dictionary = dictionary;
    }

    public int Length { get; }

    /// <summary>The body range of each top-level column of <paramref name="schema"/>, read from the batch's metadata
    /// alone: from the offset of its first buffer to the next column's first buffer offset (the body's end for the last
    /// column). These are the parts <see cref="IpcPartHashes"/> hashes.</summary>
    public static (long Start, long End)[] ColumnRanges(FlatTable batch, Schema schema, long bodyLength)
    {
        var buffers = batch.GetVectorBytes(2, 16, out int count);
        var starts = new long[schema.Fields.Count + 1];
        int next = 0;
        for (int c = 0; c < schema.Fields.Count; c++)
        {
            if (next >= count) throw new FlatBufferException($"record batch has too few buffers (at column '{schema.Fields[c].Name}')");
            starts[c] = BinaryPrimitives.ReadInt64LittleEndian(buffers.Slice(16 * next));
            next += BufferCount(schema.Fields[c].DataType, 0);
        }
        starts[^1] = bodyLength;
        var result = new (long, long)[schema.Fields.Count];
        for (int c = 0; c < result.Length; c++)
        {
            if (starts[c] < 0 || starts[c] > starts[c + 1])
                throw new FlatBufferException($"column '{schema.Fields[c].Name}' starts at body offset {starts[c]}, outside [0, {starts[c + 1]}]");
            result[c] = (starts[c], starts[c + 1]);
        }
        return result;
    }

    /// <summary>The body ranges (offset, length) of top-level column <paramref name="column"/>'s buffers, in the order
    /// <see cref="DecodeColumns"/> reads them.</summary>
    public static (long Offset, long Length)[] ColumnBuffers(FlatTable batch, Schema schema, int column)
    {
        var buffers = batch.GetVectorBytes(2, 16, out int count);
        int first = 0;
        for (int c = 0; c < column; c++) first += BufferCount(schema.Fields[c].DataType, 0);
        int n = BufferCount(schema.Fields[column].DataType, 0);
        if (first + n > count) throw new FlatBufferException($"record batch has too few buffers (at column '{schema.Fields[column].Name}')");
        var result = new (long, long)[n];
        for (int i = 0; i < n; i++)
        {
            var span = buffers.Slice(16 * (first + i));
            result[i] = (BinaryPrimitives.ReadInt64LittleEndian(span), BinaryPrimitives.ReadInt64LittleEndian(span[8..]));
        }
        return result;
    }

    /// <summary>Whether the batch's buffers are compressed (read from its metadata alone).</summary>
    public static bool IsCompressed(FlatTable batch) => batch.GetTable(3) is not null;

    /// <summary>How many buffers a column of <paramref name="type"/> has in a record batch (as <see cref="DecodeColumns"/> reads them).</summary>
    private static int BufferCount(DataType type, int depth)
    {
        if (depth > 64) throw new FlatBufferException("arrays are nested more than 64 levels deep");
        return type.StorageType switch
        {
            PrimitiveType or TimestampType or DecimalType or DictionaryType or FixedSizeBinaryType => 2,
            VariableBinaryType => 3,
            ListType l => 2 + BufferCount(l.ValueField.DataType, depth + 1),
            FixedSizeListType f => 1 + BufferCount(f.ValueField.DataType, depth + 1),
            StructType s => 1 + s.Fields.Sum(x => BufferCount(x.DataType, depth + 1)),
            var t => throw new FlatBufferException($"unsupported type {t}"),
        };
    }

    /// <summary>The offsets of an array of no values as a single 0: Apache.Arrow (C#) writes an empty slice of a
    /// longer array with its first offset kept (for example 50) and no data, which addresses nothing.</summary>
    private static ArrowBuffer EmptyOffsets(ArrowBuffer offsets, int length, bool large) =>
        length == 0 && offsets.Length >= (large ? 8 : 4) && (large ? offsets.As<long>()[0] : offsets.As<int>()[0]) != 0
            ? ArrowBuffer.Copy(new byte[large ? 8 : 4]) : offsets;

    public ArrayData[] DecodeColumns(Schema schema, int dictionaryFieldStart = 0)
    {
        _nextDictionaryField = dictionaryFieldStart;
        var result = new ArrayData[schema.Fields.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = Decode(schema.Fields[i], 0);
            if (result[i].Length != Length)
                throw new InvalidDataException($"column '{schema.Fields[i].Name}' has {result[i].Length} rows but the batch has {Length}");
        }
        return result;
    }

    public ArrayData DecodeSingle(Field field) => Decode(field, 0);

    /// <summary>Decodes top-level column <paramref name="column"/> alone, from a body that holds only the bytes from
    /// body offset <paramref name="bodyStart"/> on (the column's range, <see cref="ColumnRanges"/>): a reader of object
    /// storage fetches just the columns a query reads.</summary>
    public ArrayData DecodeColumn(Schema schema, int column, long bodyStart)
    {
        _nextNode = _nextBuffer = _nextDictionaryField = 0;
        for (int c = 0; c < column; c++) Skip(schema.Fields[c].DataType, 0);
        _bodyStart = bodyStart;
        var result = Decode(schema.Fields[column], 0);
        if (result.Length != Length)
            throw new InvalidDataException($"column '{schema.Fields[column].Name}' has {result.Length} rows but the batch has {Length}");
        return result;
    }

    /// <summary>Moves the cursors past a column of <paramref name="type"/> (its nodes, buffers and dictionary ids).</summary>
    private void Skip(DataType type, int depth)
    {
        if (depth > 64) throw new FlatBufferException("arrays are nested more than 64 levels deep");
        _nextNode++;
        if (type.StorageType is DictionaryType) _nextDictionaryField++;
        switch (type.StorageType)
        {
            case ListType l: _nextBuffer += 2; Skip(l.ValueField.DataType, depth + 1); break;
            case FixedSizeListType f: _nextBuffer += 1; Skip(f.ValueField.DataType, depth + 1); break;
            case StructType st: _nextBuffer += 1; foreach (var x in st.Fields) Skip(x.DataType, depth + 1); break;
            default: _nextBuffer += BufferCount(type, depth); break;
        }
    }

    /// <summary>The body offset the body memory starts at (0 unless one column is decoded from its range alone).</summary>
    private long _bodyStart;

    private (int Length, int NullCount) NextNode(string field)
    {
        if (_nextNode >= _nodeCount) throw new FlatBufferException($"record batch has too few field nodes (at column '{field}')");
        var span = _nodes.AsSpan(16 * _nextNode++);
        long length = BinaryPrimitives.ReadInt64LittleEndian(span), nulls = BinaryPrimitives.ReadInt64LittleEndian(span[8..]);
        if (length is < 0 or > int.MaxValue) throw new FlatBufferException($"column '{field}': length {length} is out of range");
        if (nulls < 0 || nulls > length) throw new FlatBufferException($"column '{field}': null count {nulls} is out of range for length {length}");
        return ((int)length, (int)nulls);
    }

    private ArrowBuffer NextBuffer(string field)
    {
        if (_nextBuffer >= _bufferCount) throw new FlatBufferException($"record batch has too few buffers (at column '{field}')");
        var span = _buffers.AsSpan(16 * _nextBuffer++);
        long offset = BinaryPrimitives.ReadInt64LittleEndian(span) - _bodyStart, length = BinaryPrimitives.ReadInt64LittleEndian(span[8..]);
        if (offset < 0 || length < 0 || offset + length > _body.Length)
            throw new FlatBufferException($"column '{field}': buffer [{offset + _bodyStart}, {offset + _bodyStart}+{length}) lies outside the {_body.Length}-byte message body" + (_bodyStart > 0 ? $" range read from {_bodyStart}" : ""));
        var raw = _body.Slice((int)offset, (int)length);
        if (_compression == IpcCompression.None || length == 0) return new ArrowBuffer(raw);
        if (length < 8) throw new InvalidDataException($"column '{field}': compressed buffer of {length} bytes has no length prefix");
        long declared = BinaryPrimitives.ReadInt64LittleEndian(raw.Span);
        if (declared == -1) return new ArrowBuffer(raw[8..]);
        // An empty buffer may be written as a bare prefix of 0 with no frame (Apache.Arrow C# does).
        if (declared == 0) return ArrowBuffer.Empty;
        try
        {
            var data = raw[8..].Span;
            return new ArrowBuffer(_compression == IpcCompression.Zstd ? Zstd.Decompress(data, declared) : Lz4Frame.Decompress(data, declared));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"column '{field}': {Errors.ErrorText.Describe(e)}", e);
        }
    }

    private ArrayData Decode(Field field, int depth)
    {
        if (depth > 64) throw new FlatBufferException("arrays are nested more than 64 levels deep");
        var type = field.DataType;
        var storage = type.StorageType;
        var (length, nulls) = NextNode(field.Name);
        var validity = NextBuffer(field.Name);
        ArrayData data;
        switch (storage)
        {
            case PrimitiveType or TimestampType or DecimalType or FixedSizeBinaryType:
                data = new ArrayData(type, length, 0, nulls, [validity, NextBuffer(field.Name)]);
                break;
            case VariableBinaryType v:
            {
                var offsets = EmptyOffsets(NextBuffer(field.Name), length, v.IsLarge);
                data = new ArrayData(type, length, 0, nulls, [validity, offsets, NextBuffer(field.Name)]);
                break;
            }
            case ListType l:
            {
                var offsets = EmptyOffsets(NextBuffer(field.Name), length, large: false);
                data = new ArrayData(type, length, 0, nulls, [validity, offsets], [Decode(l.ValueField, depth + 1)]);
                break;
            }
            case FixedSizeListType f:
                data = new ArrayData(type, length, 0, nulls, [validity], [Decode(f.ValueField, depth + 1)]);
                break;
            case StructType s:
                data = new ArrayData(type, length, 0, nulls, [validity], s.Fields.Select(c => Decode(c, depth + 1)).ToArray());
                break;
            case DictionaryType:
            {
                if (_nextDictionaryField >= _dictionaryFields.Count) throw new FlatBufferException($"column '{field.Name}': no dictionary id");
                long id = _dictionaryFields[_nextDictionaryField++].Id;
                var indices = NextBuffer(field.Name);
                data = new ArrayData(type, length, 0, nulls, [validity, indices], null, _dictionary(id));
                break;
            }
            default:
                throw new FlatBufferException($"column '{field.Name}' has unsupported type {type}");
        }
        try
        {
            ArrayValidator.Validate(data);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"column '{field.Name}': {Errors.ErrorText.Describe(e)}", e);
        }
        return data;
    }
}
