using System.Buffers.Binary;
using QueryLake.Formats.FlatBuffers;

namespace QueryLake.Formats.Ipc;

/// <summary>A parsed Message table: its header type, header table and declared body length.</summary>
internal readonly record struct IpcMessage(byte HeaderType, FlatTable Header, long BodyLength)
{
    public const int MaxMetadataLength = 64 << 20;

    public static IpcMessage Parse(byte[] metadata)
    {
        var m = FlatTable.Root(metadata);
        short version = m.GetInt16(0);
        if (version < 3) throw new FlatBufferException($"Arrow metadata version V{version + 1} is too old; QueryLake reads V4 and V5");
        if (version > 4) throw new FlatBufferException($"Arrow metadata version V{version + 1} is newer than this reader (V5)");
        byte type = m.GetByte(1);
        var header = m.GetTable(2) ?? throw new FlatBufferException("message has no header");
        long body = m.GetInt64(3);
        if (body < 0) throw new FlatBufferException($"message body length {body} is negative");
        return new IpcMessage(type, header, body);
    }

    /// <summary>Parses the 8-byte (or legacy 4-byte) prefix of an encapsulated message: returns the
    /// metadata length and how many prefix bytes there were; a length of 0 is end-of-stream.</summary>
    public static (int MetadataLength, int PrefixLength) ReadPrefix(ReadOnlySpan<byte> eight)
    {
        uint first = BinaryPrimitives.ReadUInt32LittleEndian(eight);
        if (first == 0xFFFFFFFF)
        {
            int len = BinaryPrimitives.ReadInt32LittleEndian(eight[4..]);
            if (len < 0 || len > MaxMetadataLength) throw new FlatBufferException($"message metadata length {len} is out of range");
            return (len, 8);
        }
        if (first > MaxMetadataLength) throw new FlatBufferException($"message metadata length {first} is out of range");
        return ((int)first, 4);
    }
}
