using System.Buffers.Binary;
using QueryLake.Columnar;
using QueryLake.Formats.FlatBuffers;
using QueryLake.Native;

namespace QueryLake.Formats.Ipc;

/// <summary>Writes encapsulated IPC messages (schema, dictionary batch, record batch, end of stream).</summary>
internal sealed class IpcMessageWriter(Stream stream, IpcWriteOptions options, IpcPartHashes? parts = null)
{
    public const short MetadataVersionV5 = 4;
    public const byte HeaderSchema = 1, HeaderDictionaryBatch = 2, HeaderRecordBatch = 3;
    private static readonly byte[] Padding = new byte[64];

    public long Position { get; private set; }

    /// <summary>A block of the file footer: where a message starts, its metadata and body sizes.</summary>
    public readonly record struct Block(long Offset, int MetadataLength, long BodyLength);

    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        stream.Write(bytes);
        parts?.Raw(bytes);
        Position += bytes.Length;
    }

    public void Align8()
    {
        int pad = (int)((8 - (Position & 7)) & 7);
        if (pad > 0) WriteRaw(Padding.AsSpan(0, pad));
    }

    public Block WriteSchema(Schema schema)
    {
        var b = new FlatBufferBuilder();
        int header = ArrowSchemaCodec.Write(b, schema);
        return WriteMessage(b, HeaderSchema, header, 0, []);
    }

    public Block WriteRecordBatch(int length, IEnumerable<ArrayData> columns) =>
        WriteBatch(length, columns, dictionaryId: null, isDelta: false);

    public Block WriteDictionaryBatch(long id, ArrayData values, bool isDelta) =>
        WriteBatch(values.Length, [values], id, isDelta);

    private Block WriteBatch(int length, IEnumerable<ArrayData> columns, long? dictionaryId, bool isDelta)
    {
        var body = new RecordBatchBody();
        var firstBuffers = new List<int>();
        foreach (var c in columns)
        {
            firstBuffers.Add(body.Buffers.Count);
            body.Add(c);
        }
        var buffers = body.Buffers.Select(Compress).ToList();

        var b = new FlatBufferBuilder();
        Span<byte> tmp = stackalloc byte[16];
        var bufferBytes = new byte[16 * buffers.Count];
        long offset = 0;
        for (int i = 0; i < buffers.Count; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bufferBytes.AsSpan(16 * i), offset);
            BinaryPrimitives.WriteInt64LittleEndian(bufferBytes.AsSpan(16 * i + 8), buffers[i].Length);
            offset += Pad8(buffers[i].Length);
        }
        long bodyLength = offset;
        var nodeBytes = new byte[16 * body.Nodes.Count];
        for (int i = 0; i < body.Nodes.Count; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(nodeBytes.AsSpan(16 * i), body.Nodes[i].Length);
            BinaryPrimitives.WriteInt64LittleEndian(nodeBytes.AsSpan(16 * i + 8), body.Nodes[i].NullCount);
        }
        int buffersVec = b.CreateStructVector(bufferBytes, buffers.Count, 8);
        int nodesVec = b.CreateStructVector(nodeBytes, body.Nodes.Count, 8);
        int compression = 0;
        if (options.Compression != IpcCompression.None)
        {
            b.StartTable(2);
            b.AddByte(0, options.Compression == IpcCompression.Zstd ? (byte)1 : (byte)0);
            b.AddByte(1, 0);
            compression = b.EndTable();
        }
        b.StartTable(5);
        b.AddInt64(0, length);
        b.AddOffset(1, nodesVec);
        b.AddOffset(2, buffersVec);
        if (compression != 0) b.AddOffset(3, compression);
        int recordBatch = b.EndTable();
        int header = recordBatch;
        byte headerType = HeaderRecordBatch;
        if (dictionaryId is { } id)
        {
            b.StartTable(3);
            b.AddInt64(0, id);
            b.AddOffset(1, recordBatch);
            b.AddBool(2, isDelta);
            header = b.EndTable();
            headerType = HeaderDictionaryBatch;
        }
        return WriteMessage(b, headerType, header, bodyLength, buffers, dictionaryId is null ? firstBuffers : null);
    }

    private static long Pad8(long n) => (n + 7) & ~7L;

    private ReadOnlyMemory<byte> Compress(ReadOnlyMemory<byte> raw)
    {
        if (options.Compression == IpcCompression.None || raw.IsEmpty) return raw;
        if (options.Compression != IpcCompression.Zstd)
            throw new NotSupportedException("QueryLake writes ZSTD-compressed Arrow files; LZ4_FRAME is read only");
        var compressed = Zstd.Compress(raw.Span, options.ZstdLevel);
        byte[] result;
        if (compressed.Length >= raw.Length)
        {
            result = new byte[8 + raw.Length];
            BinaryPrimitives.WriteInt64LittleEndian(result, -1);
            raw.Span.CopyTo(result.AsSpan(8));
        }
        else
        {
            result = new byte[8 + compressed.Length];
            BinaryPrimitives.WriteInt64LittleEndian(result, raw.Length);
            compressed.CopyTo(result.AsSpan(8));
        }
        return result;
    }

    /// <summary>Writes one message; for a record batch, <paramref name="columnStarts"/> gives each top-level column's
    /// first buffer index, and the part hashes (if kept) get the batch's metadata and column hashes.</summary>
    private Block WriteMessage(FlatBufferBuilder b, byte headerType, int header, long bodyLength, IReadOnlyList<ReadOnlyMemory<byte>> buffers,
        IReadOnlyList<int>? columnStarts = null)
    {
        b.StartTable(5);
        b.AddInt16(0, MetadataVersionV5);
        b.AddByte(1, headerType);
        b.AddOffset(2, header);
        b.AddInt64(3, bodyLength);
        var metadata = b.Finish(b.EndTable());
        Align8();
        var hashes = columnStarts is not null && parts is not null ? new ulong[1 + columnStarts.Count] : null;
        if (hashes is not null) parts!.BeginBatch(Position);
        long start = Position;
        int padded = (int)Pad8(metadata.Length);
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(prefix, 0xFFFFFFFF);
        BinaryPrimitives.WriteInt32LittleEndian(prefix[4..], padded);
        var hash = hashes is null ? null : new System.IO.Hashing.XxHash3();
        Part(hash, prefix);
        Part(hash, metadata);
        Part(hash, Padding.AsSpan(0, padded - metadata.Length));
        int column = 0;
        for (int i = 0; i < buffers.Count; i++)
        {
            // A column's part runs from its first buffer to the next column's first buffer.
            while (hash is not null && column < columnStarts!.Count && columnStarts[column] == i)
            {
                hashes![column] = hash.GetCurrentHashAsUInt64();
                hash.Reset();
                column++;
            }
            Part(hash, buffers[i].Span);
            Part(hash, Padding.AsSpan(0, (int)(Pad8(buffers[i].Length) - buffers[i].Length)));
        }
        if (hash is not null)
        {
            for (; column <= columnStarts!.Count; column++)
            {
                hashes![column] = hash.GetCurrentHashAsUInt64();
                hash.Reset();
            }
            parts!.EndBatch(hashes!, Position);
        }
        return new Block(start, 8 + padded, bodyLength);
    }

    private void Part(System.IO.Hashing.XxHash3? hash, ReadOnlySpan<byte> bytes)
    {
        WriteRaw(bytes);
        hash?.Append(bytes);
    }

    public void WriteEndOfStream()
    {
        Align8();
        Span<byte> eos = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(eos, 0xFFFFFFFF);
        BinaryPrimitives.WriteInt32LittleEndian(eos[4..], 0);
        WriteRaw(eos);
    }
}
