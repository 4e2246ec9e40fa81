using System.Buffers.Binary;
using System.Text;
using QueryLake.Columnar.Memory;

namespace QueryLake.Formats.Parquet.Thrift;

/// <summary>Writes Thrift's compact protocol. Structs are written with <see cref="BeginStruct"/>/<see cref="EndStruct"/>
/// around their fields, which must come in increasing id order.</summary>
internal sealed class ThriftWriter
{
    private readonly BufferBuilder _buf = new(256);
    private readonly Stack<short> _lastIds = new();
    private short _lastId;

    public ReadOnlySpan<byte> Written => _buf.Span;

    public void BeginStruct() { _lastIds.Push(_lastId); _lastId = 0; }

    public void EndStruct() { _buf.Append((byte)0); _lastId = _lastIds.Pop(); }

    private void FieldHeader(short id, ThriftType type)
    {
        int delta = id - _lastId;
        if (delta is > 0 and <= 15) _buf.Append((byte)((delta << 4) | (byte)type));
        else { _buf.Append((byte)type); Varint(ZigZag(id)); }
        _lastId = id;
    }

    private void Varint(ulong v)
    {
        while (v >= 0x80) { _buf.Append((byte)(v | 0x80)); v >>= 7; }
        _buf.Append((byte)v);
    }

    private static ulong ZigZag(long v) => (ulong)((v << 1) ^ (v >> 63));

    public void I32(short id, int v) { FieldHeader(id, ThriftType.I32); Varint(ZigZag(v)); }

    public void I64(short id, long v) { FieldHeader(id, ThriftType.I64); Varint(ZigZag(v)); }

    public void ByteField(short id, sbyte v) { FieldHeader(id, ThriftType.Byte); _buf.Append((byte)v); }

    public void Bool(short id, bool v) => FieldHeader(id, v ? ThriftType.BoolTrue : ThriftType.BoolFalse);

    public void Binary(short id, ReadOnlySpan<byte> v) { FieldHeader(id, ThriftType.Binary); RawBinary(v); }

    public void String(short id, string v) => Binary(id, Encoding.UTF8.GetBytes(v));

    public void StructField(short id) { FieldHeader(id, ThriftType.Struct); BeginStruct(); }

    public void ListField(short id, ThriftType elementType, int count) { FieldHeader(id, ThriftType.List); ListHeader(elementType, count); }

    public void ListHeader(ThriftType elementType, int count)
    {
        if (count < 15) _buf.Append((byte)((count << 4) | (byte)elementType));
        else { _buf.Append((byte)(0xF0 | (byte)elementType)); Varint((ulong)count); }
    }

    public void I32Element(int v) => Varint(ZigZag(v));

    public void I64Element(long v) => Varint(ZigZag(v));

    public void BoolElement(bool v) => _buf.Append((byte)(v ? 1 : 2));

    public void RawBinary(ReadOnlySpan<byte> v) { Varint((ulong)v.Length); _buf.Append(v); }

    public void StringElement(string v) => RawBinary(Encoding.UTF8.GetBytes(v));

    public void Double(short id, double v)
    {
        FieldHeader(id, ThriftType.Double);
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(b, v);
        _buf.Append(b);
    }
}
