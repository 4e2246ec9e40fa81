using System.Runtime.InteropServices;

namespace QueryLake.Columnar.Memory;

/// <summary>A growable, 64-byte aligned byte buffer that is frozen into an <see cref="ArrowBuffer"/>.</summary>
internal sealed class BufferBuilder
{
    private Memory<byte> _mem;
    private int _length;
    private readonly BufferLease? _lease;

    /// <summary>A builder with room for <paramref name="capacity"/> bytes; with a <paramref name="lease"/>, buffers of
    /// at least <see cref="BufferPool.MinimumLength"/> bytes are rented through it (the built buffer then lives as long
    /// as the lease).</summary>
    public BufferBuilder(int capacity = 64, BufferLease? lease = null)
    {
        _lease = lease;
        _mem = Allocate(Math.Max(capacity, 64));
    }

    private Memory<byte> Allocate(int capacity) =>
        _lease is not null && capacity >= BufferPool.MinimumLength ? _lease.Rent(capacity) : AlignedMemory.Allocate(capacity, clear: false);

    public int Length => _length;

    public Span<byte> Span => _mem.Span[.._length];

    public void EnsureCapacity(long needed)
    {
        if (needed <= _mem.Length) return;
        if (needed > Array.MaxLength) throw new InvalidOperationException($"an Arrow buffer cannot exceed {Array.MaxLength} bytes");
        long cap = Math.Max(needed, Math.Min((long)_mem.Length * 2, Array.MaxLength));
        var next = Allocate((int)cap);
        _mem.Span[.._length].CopyTo(next.Span);
        _mem = next;
    }

    public void Append<T>(T value) where T : unmanaged
    {
        int size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        EnsureCapacity((long)_length + size);
        MemoryMarshal.Write(_mem.Span.Slice(_length), in value);
        _length += size;
    }

    public void Append(ReadOnlySpan<byte> bytes)
    {
        EnsureCapacity((long)_length + bytes.Length);
        bytes.CopyTo(_mem.Span.Slice(_length));
        _length += bytes.Length;
    }

    /// <summary>Grows the length by <paramref name="count"/> zero bytes and returns them for writing.</summary>
    public Span<byte> Extend(int count)
    {
        EnsureCapacity((long)_length + count);
        var s = _mem.Span.Slice(_length, count);
        s.Clear();
        _length += count;
        return s;
    }

    /// <summary>Grows the length by <paramref name="count"/> bytes left as they are, for a caller that writes them all.</summary>
    public Span<byte> ExtendUninitialized(int count)
    {
        EnsureCapacity((long)_length + count);
        var s = _mem.Span.Slice(_length, count);
        _length += count;
        return s;
    }

    public void SetLength(int length)
    {
        EnsureCapacity(length);
        if (length > _length) _mem.Span[_length..length].Clear();
        _length = length;
    }

    /// <summary>Freezes the content; the builder starts over empty.</summary>
    public ArrowBuffer Build()
    {
        var result = _length == 0 ? ArrowBuffer.Empty : new ArrowBuffer(_mem[.._length]);
        _mem = Memory<byte>.Empty;
        _length = 0;
        return result;
    }
}
