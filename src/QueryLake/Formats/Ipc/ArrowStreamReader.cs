using QueryLake.Columnar;
using QueryLake.Columnar.Arrays;
using QueryLake.Columnar.Memory;
using QueryLake.Columnar.Types;
using QueryLake.Formats.FlatBuffers;

namespace QueryLake.Formats.Ipc;

/// <summary>
/// Reads the Arrow IPC streaming format from any <see cref="Stream"/>, one batch at a time. Message bodies
/// are read in chunks, so a hostile length cannot cause a large allocation before the data exists.
/// </summary>
public sealed class ArrowStreamReader : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly IpcDictionaries _dictionaries;
    private bool _ended;

    /// <summary>Reads the schema message from <paramref name="stream"/>; <paramref name="name"/> appears in errors.</summary>
    public ArrowStreamReader(Stream stream, string name = "<stream>", bool leaveOpen = false)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        Name = name;
        (Schema, _dictionaries) = IpcErrors.Guard(name, () =>
        {
            var message = ReadMessage() ?? throw new InvalidDataException("stream ends before its schema");
            if (message.Message.HeaderType != IpcMessageWriter.HeaderSchema) throw new InvalidDataException("stream does not start with a schema message");
            var types = new Dictionary<long, DictionaryType>();
            var schema = ArrowSchemaCodec.Read(message.Message.Header, types);
            return (schema, new IpcDictionaries(schema, types));
        });
    }

    /// <summary>Opens a stream file.</summary>
    public static ArrowStreamReader Open(string path) =>
        new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20), path);

    /// <summary>The name used in errors.</summary>
    public string Name { get; }

    /// <summary>The schema.</summary>
    public Schema Schema { get; }

    /// <summary>The next batch, or null at the end of the stream.</summary>
    public RecordBatch? ReadNext()
    {
        if (_ended) return null;
        return IpcErrors.Guard(Name, () =>
        {
            while (true)
            {
                var next = ReadMessage();
                if (next is not { } m) { _ended = true; return null; }
                switch (m.Message.HeaderType)
                {
                    case IpcMessageWriter.HeaderDictionaryBatch:
                        _dictionaries.Read(m.Message.Header, m.Body);
                        continue;
                    case IpcMessageWriter.HeaderRecordBatch:
                        var decoder = new RecordBatchDecoder(m.Message.Header, m.Body, _dictionaries.Fields, _dictionaries.Get);
                        var columns = decoder.DecodeColumns(Schema);
                        return new RecordBatch(Schema, columns.Select(ArrowArray.FromData).ToArray(), decoder.Length);
                    default:
                        throw new InvalidDataException($"unexpected message type {m.Message.HeaderType} in the stream");
                }
            }
        });
    }

    /// <summary>All remaining batches.</summary>
    public IEnumerable<RecordBatch> ReadAll()
    {
        while (ReadNext() is { } b) yield return b;
    }

    private (IpcMessage Message, ReadOnlyMemory<byte> Body)? ReadMessage()
    {
        Span<byte> prefix = stackalloc byte[8];
        int got = ReadUpTo(prefix[..4]);
        if (got == 0) return null; // end of input without an EOS marker is tolerated
        if (got < 4) throw new EndOfStreamException("stream is truncated inside a message prefix");
        int len;
        if (System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(prefix) == 0xFFFFFFFF)
        {
            if (ReadUpTo(prefix[4..]) < 4) throw new EndOfStreamException("stream is truncated inside a message prefix");
            (len, _) = IpcMessage.ReadPrefix(prefix);
        }
        else (len, _) = IpcMessage.ReadPrefix(prefix);
        if (len == 0) return null;
        var metadata = ReadExactly(len, "message metadata");
        var message = IpcMessage.Parse(metadata.ToArray());
        var body = ReadExactly(message.BodyLength, "message body");
        return (message, body);
    }

    private int ReadUpTo(Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = _stream.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    private ReadOnlyMemory<byte> ReadExactly(long length, string what)
    {
        if (length > Array.MaxLength) throw new InvalidDataException($"{what} of {length} bytes is too large");
        if (_stream.CanSeek && length > _stream.Length - _stream.Position)
            throw new EndOfStreamException($"stream is truncated: {what} needs {length} bytes, {_stream.Length - _stream.Position} remain");
        // Grow with the data actually read, never trusting the declared length for the allocation.
        var buffer = AlignedMemory.Allocate((int)Math.Min(length, 1 << 20), clear: false);
        int filled = 0;
        while (filled < length)
        {
            if (filled == buffer.Length)
            {
                var next = AlignedMemory.Allocate((int)Math.Min(length, 2L * buffer.Length), clear: false);
                buffer.Span.CopyTo(next.Span);
                buffer = next;
            }
            int n = _stream.Read(buffer.Span[filled..]);
            if (n == 0) throw new EndOfStreamException($"stream is truncated: {what} needs {length} bytes, got {filled}");
            filled += n;
        }
        return buffer[..filled];
    }

    /// <summary>Closes the stream unless asked to leave it open.</summary>
    public void Dispose()
    {
        if (!_leaveOpen) _stream.Dispose();
    }
}
