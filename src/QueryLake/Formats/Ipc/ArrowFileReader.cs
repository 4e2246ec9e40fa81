using System.Buffers.Binary;
using System.Text;
using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Types;
using QueryLake.Formats.FlatBuffers;

namespace QueryLake.Formats.Ipc;

/// <summary>
/// Reads the Arrow IPC file format with random access to record batches. Files are memory-mapped:
/// uncompressed buffers are used in place, without copying. Any malformed input fails with a
/// <see cref="Errors.CorruptFileException"/> naming the file and the problem.
/// </summary>
public sealed class ArrowFileReader : IDisposable
{
    private readonly Func<long, int, ReadOnlyMemory<byte>> _slice;
    private readonly long _length;
    private readonly (long Offset, int MetadataLength, long BodyLength)[] _batches;
    private readonly IpcDictionaries _dictionaries;
    private readonly int[] _batchLengths;

    private ArrowFileReader(string path, long length, Func<long, int, ReadOnlyMemory<byte>> slice)
    {
        Path = path;
        _length = length;
        _slice = slice;
        (Schema, _batches, _dictionaries) = IpcErrors.Guard(path, ReadFooter);
        _batchLengths = new int[_batches.Length];
        Array.Fill(_batchLengths, -1);
    }

    /// <summary>Opens (memory-maps) an Arrow file.</summary>
    public static ArrowFileReader Open(string path)
    {
        var file = MappedFile.Open(path);
        return new ArrowFileReader(path, file.Length, file.Slice);
    }

    /// <summary>Reads an Arrow file of <paramref name="length"/> bytes through <paramref name="slice"/>(offset, length),
    /// which returns those bytes: a file on object storage read by byte ranges.</summary>
    internal static ArrowFileReader FromSource(string name, long length, Func<long, int, ReadOnlyMemory<byte>> slice,
        Func<long, int, ReadOnlyMemory<byte>>? exact = null) => new(name, length, slice) { _exact = exact };

    /// <summary>Reads exactly the bytes asked for (no widening, nothing kept): the row ranges of a take.</summary>
    private Func<long, int, ReadOnlyMemory<byte>>? _exact;

    /// <summary>Reads an Arrow file held in memory; <paramref name="name"/> is used in error messages.</summary>
    public static ArrowFileReader FromMemory(ReadOnlyMemory<byte> bytes, string name = "<memory>") =>
        new(name, bytes.Length, (o, n) => bytes.Slice(checked((int)o), n));

    /// <summary>The file's path (or name).</summary>
    public string Path { get; }

    /// <summary>The schema.</summary>
    public Schema Schema { get; }

    /// <summary>Number of record batches.</summary>
    public int RecordBatchCount => _batches.Length;

    private ReadOnlyMemory<byte> Slice(long offset, long length, string what)
    {
        if (offset < 0 || length < 0 || length > int.MaxValue || offset > _length - length)
            throw new InvalidDataException($"{what} at [{offset}, {offset}+{length}) lies outside the {_length}-byte file");
        return _slice(offset, (int)length);
    }

    private (Schema, (long, int, long)[], IpcDictionaries) ReadFooter()
    {
        if (_length < 18) throw new InvalidDataException($"file is {_length} bytes, too short to be an Arrow file (truncated?)");
        var head = Slice(0, 6, "magic").Span;
        var tail = Slice(_length - 10, 10, "footer trailer").Span;
        if (!head.SequenceEqual("ARROW1"u8))
            throw new InvalidDataException("not an Arrow file: it does not start with ARROW1" + (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFF, 0xFF, 0xFF]) ? " (it looks like an Arrow stream; use ArrowStreamReader)" : ""));
        if (!tail[4..].SequenceEqual("ARROW1"u8)) throw new InvalidDataException("file does not end with ARROW1: it is truncated or not an Arrow file");
        int footerLength = BinaryPrimitives.ReadInt32LittleEndian(tail);
        if (footerLength <= 0 || footerLength > _length - 18) throw new InvalidDataException($"footer length {footerLength} is out of range");
        var footer = FlatTable.Root(Slice(_length - 10 - footerLength, footerLength, "footer").ToArray());
        var schemaTable = footer.GetTable(1) ?? throw new FlatBufferException("footer has no schema");
        var dictTypes = new Dictionary<long, DictionaryType>();
        var schema = ArrowSchemaCodec.Read(schemaTable, dictTypes);
        var dictionaries = new IpcDictionaries(schema, dictTypes);
        foreach (var block in Blocks(footer, 2))
        {
            var (message, body) = ReadMessage(block);
            if (message.HeaderType != IpcMessageWriter.HeaderDictionaryBatch) throw new FlatBufferException("a dictionary block does not hold a dictionary batch");
            dictionaries.Read(message.Header, body);
        }
        return (schema, Blocks(footer, 3), dictionaries);
    }

    private static (long, int, long)[] Blocks(FlatTable footer, int slot)
    {
        var bytes = footer.GetVectorBytes(slot, 24, out int count);
        var result = new (long, int, long)[count];
        for (int i = 0; i < count; i++)
        {
            var s = bytes.Slice(24 * i);
            result[i] = (BinaryPrimitives.ReadInt64LittleEndian(s), BinaryPrimitives.ReadInt32LittleEndian(s[8..]), BinaryPrimitives.ReadInt64LittleEndian(s[16..]));
        }
        return result;
    }

    private (IpcMessage, ReadOnlyMemory<byte>) ReadMessage((long Offset, int MetadataLength, long BodyLength) block)
    {
        var message = ReadHeader(block);
        return (message, Slice(block.Offset + block.MetadataLength, block.BodyLength, "message body"));
    }

    /// <summary>A block's message metadata alone, its body left unread.</summary>
    private IpcMessage ReadHeader((long Offset, int MetadataLength, long BodyLength) block)
    {
        if (block.MetadataLength < 8) throw new InvalidDataException($"block at {block.Offset} has metadata length {block.MetadataLength}");
        var prefix = Slice(block.Offset, 8, "message prefix").Span;
        var (len, prefixLength) = IpcMessage.ReadPrefix(prefix);
        if (prefixLength + len > block.MetadataLength) throw new InvalidDataException($"message at {block.Offset} is longer than its block");
        var message = IpcMessage.Parse(Slice(block.Offset + prefixLength, len, "message metadata").ToArray());
        if (message.BodyLength != block.BodyLength)
            throw new InvalidDataException($"message at {block.Offset} has body length {message.BodyLength} but its footer block says {block.BodyLength}");
        return message;
    }

    /// <summary>The bytes before the first record batch end here; the bytes after the last one start at the second
    /// value (the ends of <see cref="IpcPartHashes"/>).</summary>
    internal (long PrefixEnd, long SuffixStart) Layout => _batches.Length == 0 ? (_length, _length)
        : (_batches[0].Offset, _batches[^1].Offset + _batches[^1].MetadataLength + _batches[^1].BodyLength);

    /// <summary>The file range of record batch <paramref name="index"/>'s metadata.</summary>
    internal (long Start, long End) MetadataRange(int index) => (_batches[index].Offset, _batches[index].Offset + _batches[index].MetadataLength);

    /// <summary>The file range of top-level column <paramref name="column"/>'s part of record batch <paramref name="index"/>
    /// (<see cref="RecordBatchDecoder.ColumnRanges"/>).</summary>
    internal (long Start, long End) ColumnRange(int index, int column) => IpcErrors.Guard(Path, () =>
    {
        var block = _batches[index];
        var message = ReadHeader(block);
        long body = block.Offset + block.MetadataLength;
        var (start, end) = RecordBatchDecoder.ColumnRanges(message.Header, Schema, block.BodyLength)[column];
        return (body + start, body + end);
    });

    /// <summary>Bytes [<paramref name="start"/>, <paramref name="end"/>) of the file.</summary>
    internal ReadOnlyMemory<byte> Bytes(long start, long end) => IpcErrors.Guard(Path, () => Slice(start, end - start, "checked range"));

    /// <summary>Number of rows in batch <paramref name="index"/> (reads only its metadata).</summary>
    public int GetRecordBatchLength(int index)
    {
        if (_batchLengths[index] >= 0) return _batchLengths[index];
        return _batchLengths[index] = IpcErrors.Guard(Path, () =>
        {
            var message = ReadHeader(_batches[index]);
            long n = message.Header.GetInt64(0);
            if (n is < 0 or > int.MaxValue) throw new InvalidDataException($"batch {index} length {n} is out of range");
            return (int)n;
        });
    }

    /// <summary>Reads record batch <paramref name="index"/>.</summary>
    public RecordBatch ReadRecordBatch(int index) => ReadRecordBatch(index, out _);

    /// <summary>Reads record batch <paramref name="index"/>; <paramref name="decompressed"/> says whether its buffers are
    /// decompressed copies (otherwise they are views of the mapped file, which cost no memory of their own).</summary>
    internal RecordBatch ReadRecordBatch(int index, out bool decompressed)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_batches.Length, nameof(index));
        var (batch, copies) = IpcErrors.Guard(Path, () =>
        {
            var (message, body) = ReadMessage(_batches[index]);
            if (message.HeaderType != IpcMessageWriter.HeaderRecordBatch) throw new FlatBufferException($"block {index} does not hold a record batch");
            var decoder = new RecordBatchDecoder(message.Header, body, _dictionaries.Fields, _dictionaries.Get);
            var columns = decoder.DecodeColumns(Schema);
            _batchLengths[index] = decoder.Length;
            return (new RecordBatch(Schema, columns.Select(ArrowArray.FromData).ToArray(), decoder.Length), decoder.Compressed);
        });
        decompressed = copies;
        return batch;
    }

    /// <summary>Reads top-level column <paramref name="column"/> of record batch <paramref name="index"/> alone: only its
    /// metadata and the column's byte range are read, so a reader of object storage fetches what a query needs.</summary>
    internal ArrowArray ReadColumn(int index, int column)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_batches.Length, nameof(index));
        return IpcErrors.Guard(Path, () =>
        {
            var block = _batches[index];
            var message = ReadHeader(block);
            if (message.HeaderType != IpcMessageWriter.HeaderRecordBatch) throw new FlatBufferException($"block {index} does not hold a record batch");
            var (start, end) = RecordBatchDecoder.ColumnRanges(message.Header, Schema, block.BodyLength)[column];
            var body = Slice(block.Offset + block.MetadataLength + start, end - start, "column range");
            var decoder = new RecordBatchDecoder(message.Header, body, _dictionaries.Fields, _dictionaries.Get);
            _batchLengths[index] = decoder.Length;
            return ArrowArray.FromData(decoder.DecodeColumn(Schema, column, start));
        });
    }

    /// <summary>Ranges of a take closer than this are read as one: a request to object storage costs about as much as
    /// transferring this many bytes (tens of milliseconds at a few hundred MB/s, less on a local store), so reading the
    /// hole is cheaper than another request.</summary>
    internal const int HoleLimit = 256 << 10;

    /// <summary>
    /// Column <paramref name="column"/> of batch <paramref name="index"/> with only the bytes of rows
    /// <paramref name="rows"/> (ascending) read: the validity bitmap and offsets whole, then each wanted row's values
    /// (ranges closer than <see cref="HoleLimit"/> read as one), 16 requests at a time. Other rows' values are zeros: the caller picks the rows it
    /// asked for. For files read by ranges whose batch is uncompressed and whose column is fixed-width (numbers,
    /// timestamps, fixed-size binary, dictionary indices, fixed-size lists of those: embeddings, tensors) or variable
    /// binary (text, blobs, images); null otherwise, and the caller reads the whole column.
    /// </summary>
    internal ArrowArray? ReadColumnRows(int index, int column, IReadOnlyList<int> rows)
    {
        if (_exact is not { } exact) return null;
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_batches.Length, nameof(index));
        return IpcErrors.Guard(Path, () =>
        {
            var block = _batches[index];
            var message = ReadHeader(block);
            if (message.HeaderType != IpcMessageWriter.HeaderRecordBatch) throw new FlatBufferException($"block {index} does not hold a record batch");
            if (RecordBatchDecoder.IsCompressed(message.Header)) return null;
            var type = Schema.Fields[column].DataType.StorageType;
            var (start, end) = RecordBatchDecoder.ColumnRanges(message.Header, Schema, block.BodyLength)[column];
            var buffers = RecordBatchDecoder.ColumnBuffers(message.Header, Schema, column);
            long bodyAt = block.Offset + block.MetadataLength;
            var body = new byte[end - start];
            var wanted = new List<(long Offset, long Length)>();
            void Whole(int b) => wanted.Add(buffers[b]);
            void Fill(List<(long Offset, long Length)> ranges)
            {
                var merged = new List<(long Offset, long Length)>();
                foreach (var r in ranges.Where(r => r.Length > 0).OrderBy(r => r.Offset))
                    if (merged.Count > 0 && r.Offset <= merged[^1].Offset + merged[^1].Length + HoleLimit)
                        merged[^1] = (merged[^1].Offset, Math.Max(merged[^1].Offset + merged[^1].Length, r.Offset + r.Length) - merged[^1].Offset);
                    else merged.Add(r);
                foreach (var (o, n) in merged)
                    if (o < start || o + n > end || n > int.MaxValue) throw new InvalidDataException($"column '{Schema.Fields[column].Name}': buffer range [{o}, {o + n}) lies outside its column");
                Parallel.ForEach(merged, new ParallelOptions { MaxDegreeOfParallelism = 16 }, r =>
                    exact(bodyAt + r.Offset, (int)r.Length).Span.CopyTo(body.AsSpan((int)(r.Offset - start))));
            }
            int Width(DataType t) => t.StorageType switch
            {
                PrimitiveType { Id: not TypeId.Boolean } p => p.ByteWidth,
                TimestampType => 8,
                DecimalType => 16,
                FixedSizeBinaryType f => f.ByteWidth,
                DictionaryType d => d.IndexType.ByteWidth,
                _ => 0,
            };
            switch (type)
            {
                case PrimitiveType or TimestampType or DecimalType or FixedSizeBinaryType or DictionaryType when Width(type) > 0:
                {
                    int w = Width(type);
                    Whole(0);
                    wanted.AddRange(rows.Select(r => (buffers[1].Offset + (long)r * w, (long)w)));
                    Fill(wanted);
                    break;
                }
                case FixedSizeListType f when Width(f.ValueField.DataType) > 0:
                {
                    long rowBytes = (long)f.ListSize * Width(f.ValueField.DataType);
                    Whole(0);
                    Whole(1);
                    wanted.AddRange(rows.Select(r => (buffers[2].Offset + r * rowBytes, rowBytes)));
                    Fill(wanted);
                    break;
                }
                case VariableBinaryType v:
                {
                    Whole(0);
                    Whole(1);
                    Fill(wanted);
                    var offsets = body.AsSpan((int)(buffers[1].Offset - start), (int)buffers[1].Length);
                    var values = new List<(long, long)>();
                    foreach (var r in rows)
                    {
                        long a = v.IsLarge ? BinaryPrimitives.ReadInt64LittleEndian(offsets[(8 * r)..]) : BinaryPrimitives.ReadInt32LittleEndian(offsets[(4 * r)..]);
                        long b = v.IsLarge ? BinaryPrimitives.ReadInt64LittleEndian(offsets[(8 * r + 8)..]) : BinaryPrimitives.ReadInt32LittleEndian(offsets[(4 * r + 4)..]);
                        if (a < 0 || b < a || b > buffers[2].Length) throw new InvalidDataException($"column '{Schema.Fields[column].Name}': row {r} has offsets [{a}, {b}) outside its data");
                        values.Add((buffers[2].Offset + a, b - a));
                    }
                    Fill(values);
                    break;
                }
                default:
                    return null;
            }
            var decoder = new RecordBatchDecoder(message.Header, body, _dictionaries.Fields, _dictionaries.Get);
            return ArrowArray.FromData(decoder.DecodeColumn(Schema, column, start));
        });
    }

    /// <summary>Reads every record batch in order.</summary>
    public IEnumerable<RecordBatch> ReadAll()
    {
        for (int i = 0; i < _batches.Length; i++) yield return ReadRecordBatch(i);
    }

    /// <summary>Nothing to release eagerly: mapped memory is freed once no batch refers to it.</summary>
    public void Dispose() { }
}
