using System.Buffers.Binary;
using System.Text;

namespace QueryLake.Formats.FlatBuffers;

/// <summary>
/// A bounds-checked view of one FlatBuffers table. Every read validates offsets against the buffer,
/// so a hostile buffer yields <see cref="FlatBufferException"/>, never an out-of-range access.
/// </summary>
internal readonly struct FlatTable
{
    private readonly byte[] _buf;
    private readonly int _pos;
    private readonly int _vtable;
    private readonly int _vtableLength;

    private FlatTable(byte[] buf, int pos)
    {
        _buf = buf;
        _pos = pos;
        long vt = (long)pos - ReadInt32(buf, pos);
        if (vt < 0 || vt + 4 > buf.Length) throw new FlatBufferException($"table at {pos} has a vtable outside the buffer");
        _vtable = (int)vt;
        _vtableLength = ReadUInt16(buf, _vtable);
        if (_vtableLength < 4 || (_vtableLength & 1) != 0 || _vtable + _vtableLength > buf.Length)
            throw new FlatBufferException($"table at {pos} has a malformed vtable");
        int objectSize = ReadUInt16(buf, _vtable + 2);
        if ((long)pos + objectSize > buf.Length) throw new FlatBufferException($"table at {pos} extends past the buffer");
    }

    public static FlatTable Root(byte[] buf)
    {
        if (buf.Length < 8) throw new FlatBufferException($"buffer of {buf.Length} bytes is too short for a FlatBuffer");
        return new FlatTable(buf, Deref(buf, 0));
    }

    private static int ReadInt32(byte[] b, long at)
    {
        if (at < 0 || at + 4 > b.Length) throw new FlatBufferException($"read of 4 bytes at {at} is outside the {b.Length}-byte buffer");
        return BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan((int)at));
    }

    private static ushort ReadUInt16(byte[] b, long at)
    {
        if (at < 0 || at + 2 > b.Length) throw new FlatBufferException($"read of 2 bytes at {at} is outside the buffer");
        return BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan((int)at));
    }

    /// <summary>Follows the uoffset stored at <paramref name="at"/>.</summary>
    private static int Deref(byte[] b, long at)
    {
        long target = at + (uint)ReadInt32(b, at);
        if (target >= b.Length) throw new FlatBufferException($"offset at {at} points outside the buffer");
        return (int)target;
    }

    /// <summary>Absolute position of field <paramref name="slot"/>, or 0 when absent.</summary>
    private int FieldPos(int slot)
    {
        int entry = 4 + 2 * slot;
        if (entry + 2 > _vtableLength) return 0;
        int rel = ReadUInt16(_buf, _vtable + entry);
        return rel == 0 ? 0 : _pos + rel;
    }

    public bool Has(int slot) => FieldPos(slot) != 0;

    private ReadOnlySpan<byte> Scalar(int slot, int size)
    {
        int p = FieldPos(slot);
        if (p == 0) return default;
        if (p + size > _buf.Length) throw new FlatBufferException($"field {slot} is outside the buffer");
        return _buf.AsSpan(p, size);
    }

    public bool GetBool(int slot, bool dflt = false) { var s = Scalar(slot, 1); return s.IsEmpty ? dflt : s[0] != 0; }
    public byte GetByte(int slot, byte dflt = 0) { var s = Scalar(slot, 1); return s.IsEmpty ? dflt : s[0]; }
    public short GetInt16(int slot, short dflt = 0) { var s = Scalar(slot, 2); return s.IsEmpty ? dflt : BinaryPrimitives.ReadInt16LittleEndian(s); }
    public int GetInt32(int slot, int dflt = 0) { var s = Scalar(slot, 4); return s.IsEmpty ? dflt : BinaryPrimitives.ReadInt32LittleEndian(s); }
    public long GetInt64(int slot, long dflt = 0) { var s = Scalar(slot, 8); return s.IsEmpty ? dflt : BinaryPrimitives.ReadInt64LittleEndian(s); }

    public FlatTable? GetTable(int slot)
    {
        int p = FieldPos(slot);
        return p == 0 ? null : new FlatTable(_buf, Deref(_buf, p));
    }

    public string? GetString(int slot)
    {
        int p = FieldPos(slot);
        if (p == 0) return null;
        int s = Deref(_buf, p);
        int len = ReadInt32(_buf, s);
        if (len < 0 || (long)s + 4 + len > _buf.Length) throw new FlatBufferException($"string at {s} extends past the buffer");
        return Encoding.UTF8.GetString(_buf, s + 4, len);
    }

    /// <summary>Position and length of a vector; (0, 0) when absent.</summary>
    private (int Start, int Count) Vector(int slot, int elementSize)
    {
        int p = FieldPos(slot);
        if (p == 0) return (0, 0);
        int v = Deref(_buf, p);
        int n = ReadInt32(_buf, v);
        if (n < 0 || (long)v + 4 + (long)n * elementSize > _buf.Length)
            throw new FlatBufferException($"vector at {v} with {n} elements extends past the buffer");
        return (v + 4, n);
    }

    public int GetVectorLength(int slot, int elementSize = 4) => Vector(slot, elementSize).Count;

    public FlatTable GetVectorTable(int slot, int index)
    {
        var (start, n) = Vector(slot, 4);
        if ((uint)index >= (uint)n) throw new FlatBufferException($"vector index {index} out of range");
        return new FlatTable(_buf, Deref(_buf, start + 4 * index));
    }

    public IEnumerable<FlatTable> GetVectorTables(int slot)
    {
        int n = GetVectorLength(slot);
        for (int i = 0; i < n; i++) yield return GetVectorTable(slot, i);
    }

    /// <summary>The raw bytes of a vector of structs (or scalars) of <paramref name="elementSize"/> bytes each.</summary>
    public ReadOnlySpan<byte> GetVectorBytes(int slot, int elementSize, out int count)
    {
        var (start, n) = Vector(slot, elementSize);
        count = n;
        return n == 0 ? default : _buf.AsSpan(start, n * elementSize);
    }
}
