using System.Buffers.Binary;
using System.Text;

namespace QueryLake.Formats.Parquet.Thrift;

/// <summary>Reads Thrift's compact protocol (the encoding of every Parquet footer, page header and page index) from a
/// span, bounds-checked: anything malformed throws <see cref="ParquetFormatException"/>, never reads past the span, and
/// never allocates more than the span could describe.</summary>
internal ref struct ThriftReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _depth;

    public int Position { get; private set; }

    /// <summary>Reads the next field header of the current struct; false at the struct's STOP.</summary>
    public bool NextField(ref short lastId, out ThriftType type, out short id)
    {
        byte b = ReadByte();
        if (b == 0) { type = ThriftType.Stop; id = 0; return false; }
        type = (ThriftType)(b & 0x0F);
        int delta = b >> 4;
        id = delta != 0 ? (short)(lastId + delta) : checked((short)ZigZag32(ReadVarint()));
        lastId = id;
        if (type is < ThriftType.BoolTrue or > ThriftType.Struct) throw new ParquetFormatException($"unknown Thrift field type {(int)type}");
        return true;
    }

    public byte ReadByte()
    {
        if (Position >= _data.Length) throw new ParquetFormatException("Thrift structure runs past its end");
        return _data[Position++];
    }

    public ulong ReadVarint()
    {
        ulong result = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            byte b = ReadByte();
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
        throw new ParquetFormatException("Thrift varint is longer than 10 bytes");
    }

    private static long ZigZag64(ulong v) => (long)(v >> 1) ^ -(long)(v & 1);

    private static int ZigZag32(ulong v) => (int)(uint)(v >> 1) ^ -(int)(v & 1);

    public int ReadI32() => ZigZag32(ReadVarint());

    public long ReadI64() => ZigZag64(ReadVarint());

    public double ReadDouble()
    {
        var s = Take(8);
        return BinaryPrimitives.ReadDoubleLittleEndian(s);
    }

    /// <summary>A bool field's value is carried in its header's type.</summary>
    public static bool BoolOf(ThriftType t) => t == ThriftType.BoolTrue;

    public ReadOnlySpan<byte> ReadBinary()
    {
        ulong n = ReadVarint();
        if (n > (ulong)(_data.Length - Position)) throw new ParquetFormatException($"Thrift binary of {n} bytes runs past its end");
        return Take((int)n);
    }

    public byte[] ReadBytes() => ReadBinary().ToArray();

    public string ReadString() => Encoding.UTF8.GetString(ReadBinary());

    private ReadOnlySpan<byte> Take(int n)
    {
        if (n > _data.Length - Position) throw new ParquetFormatException("Thrift structure runs past its end");
        var s = _data.Slice(Position, n);
        Position += n;
        return s;
    }

    /// <summary>Reads a list header; the count is checked against the bytes left (every element takes at least one).</summary>
    public int ReadListHeader(out ThriftType elementType)
    {
        byte b = ReadByte();
        elementType = (ThriftType)(b & 0x0F);
        ulong n = (ulong)(b >> 4);
        if (n == 15) n = ReadVarint();
        if (n > (ulong)(_data.Length - Position)) throw new ParquetFormatException($"Thrift list of {n} elements is longer than the structure");
        return (int)n;
    }

    public void EnterStruct()
    {
        if (++_depth > 64) throw new ParquetFormatException("Thrift structures nest deeper than 64 levels");
    }

    public void ExitStruct() => _depth--;

    /// <summary>Skips a value of the given type (fields this reader does not use).</summary>
    public void Skip(ThriftType type)
    {
        switch (type)
        {
            case ThriftType.BoolTrue or ThriftType.BoolFalse: break;
            case ThriftType.Byte: ReadByte(); break;
            case ThriftType.I16 or ThriftType.I32 or ThriftType.I64: ReadVarint(); break;
            case ThriftType.Double: Take(8); break;
            case ThriftType.Binary: ReadBinary(); break;
            case ThriftType.List or ThriftType.Set:
                {
                    int n = ReadListHeader(out var et);
                    for (int i = 0; i < n; i++) SkipElement(et);
                    break;
                }
            case ThriftType.Map:
                {
                    ulong n = ReadVarint();
                    if (n == 0) break;
                    if (n > (ulong)(_data.Length - Position)) throw new ParquetFormatException("Thrift map is longer than the structure");
                    byte kv = ReadByte();
                    for (ulong i = 0; i < n; i++) { SkipElement((ThriftType)(kv >> 4)); SkipElement((ThriftType)(kv & 0xF)); }
                    break;
                }
            case ThriftType.Struct:
                {
                    EnterStruct();
                    short last = 0;
                    while (NextField(ref last, out var t, out _)) Skip(t);
                    ExitStruct();
                    break;
                }
            default: throw new ParquetFormatException($"unknown Thrift type {(int)type}");
        }
    }

    /// <summary>Skips a list element: inside collections a bool takes one byte.</summary>
    public void SkipElement(ThriftType type)
    {
        if (type is ThriftType.BoolTrue or ThriftType.BoolFalse) ReadByte();
        else Skip(type);
    }

    /// <summary>Reads a bool list element (one byte, 1 = true).</summary>
    public bool ReadBoolElement() => ReadByte() == 1;
}
