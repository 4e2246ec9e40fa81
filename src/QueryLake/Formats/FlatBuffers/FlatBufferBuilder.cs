using System.Buffers.Binary;
using System.Text;

namespace QueryLake.Formats.FlatBuffers;

/// <summary>
/// Builds a FlatBuffer back to front, as the FlatBuffers format lays it out: children are written
/// before the tables that refer to them. Offsets returned are distances from the buffer's end.
/// </summary>
internal sealed class FlatBufferBuilder
{
    private byte[] _buf = new byte[256];
    private int _space = 256;
    private int _minAlign = 1;
    private int[]? _vtable;
    private int _objectStart;

    public int Offset => _buf.Length - _space;

    private void Grow(int needed)
    {
        while (_space < needed)
        {
            int old = _buf.Length;
            var next = new byte[old * 2];
            Buffer.BlockCopy(_buf, 0, next, old, old);
            _buf = next;
            _space += old;
        }
    }

    /// <summary>Pads so that after <paramref name="additional"/> bytes, a <paramref name="size"/>-byte value is aligned.</summary>
    public void Prep(int size, int additional)
    {
        _minAlign = Math.Max(_minAlign, size);
        int pad = (~(Offset + additional) + 1) & (size - 1);
        Grow(pad + size + additional);
        for (int i = 0; i < pad; i++) _buf[--_space] = 0;
    }

    private void PutByte(byte v) => _buf[--_space] = v;
    private void PutInt16(short v) { _space -= 2; BinaryPrimitives.WriteInt16LittleEndian(_buf.AsSpan(_space), v); }
    private void PutInt32(int v) { _space -= 4; BinaryPrimitives.WriteInt32LittleEndian(_buf.AsSpan(_space), v); }
    private void PutInt64(long v) { _space -= 8; BinaryPrimitives.WriteInt64LittleEndian(_buf.AsSpan(_space), v); }

    private void AddUOffset(int target)
    {
        Prep(4, 0);
        PutInt32(Offset - target + 4);
    }

    public int CreateString(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        Prep(4, bytes.Length + 1);
        PutByte(0);
        _space -= bytes.Length;
        bytes.CopyTo(_buf, _space);
        PutInt32(bytes.Length);
        return Offset;
    }

    public int CreateOffsetVector(IReadOnlyList<int> offsets)
    {
        Prep(4, 4 * offsets.Count);
        for (int i = offsets.Count - 1; i >= 0; i--) AddUOffset(offsets[i]);
        PutInt32(offsets.Count);
        return Offset;
    }

    /// <summary>A vector of structs given as raw little-endian bytes of <paramref name="count"/> elements.</summary>
    public int CreateStructVector(ReadOnlySpan<byte> bytes, int count, int alignment)
    {
        Prep(Math.Max(4, alignment), bytes.Length);
        Prep(4, bytes.Length);
        _space -= bytes.Length;
        bytes.CopyTo(_buf.AsSpan(_space));
        PutInt32(count);
        return Offset;
    }

    public void StartTable(int slots)
    {
        _vtable = new int[slots];
        _objectStart = Offset;
    }

    public void AddBool(int slot, bool v) { Prep(1, 0); PutByte(v ? (byte)1 : (byte)0); _vtable![slot] = Offset; }
    public void AddByte(int slot, byte v) { Prep(1, 0); PutByte(v); _vtable![slot] = Offset; }
    public void AddInt16(int slot, short v) { Prep(2, 0); PutInt16(v); _vtable![slot] = Offset; }
    public void AddInt32(int slot, int v) { Prep(4, 0); PutInt32(v); _vtable![slot] = Offset; }
    public void AddInt64(int slot, long v) { Prep(8, 0); PutInt64(v); _vtable![slot] = Offset; }
    public void AddOffset(int slot, int target) { AddUOffset(target); _vtable![slot] = Offset; }

    public int EndTable()
    {
        var vt = _vtable ?? throw new InvalidOperationException("EndTable without StartTable");
        Prep(4, 0);
        PutInt32(0);
        int objectOffset = Offset;
        int used = vt.Length;
        while (used > 0 && vt[used - 1] == 0) used--;
        for (int i = used - 1; i >= 0; i--) { Prep(2, 0); PutInt16((short)(vt[i] == 0 ? 0 : objectOffset - vt[i])); }
        Prep(2, 0); PutInt16((short)(objectOffset - _objectStart));
        Prep(2, 0); PutInt16((short)((used + 2) * 2));
        int vtableOffset = Offset;
        BinaryPrimitives.WriteInt32LittleEndian(_buf.AsSpan(_buf.Length - objectOffset), vtableOffset - objectOffset);
        _vtable = null;
        return objectOffset;
    }

    public byte[] Finish(int root)
    {
        Prep(Math.Max(_minAlign, 8), 4);
        AddUOffset(root);
        return _buf.AsSpan(_space).ToArray();
    }
}
