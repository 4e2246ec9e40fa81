using System.Runtime.InteropServices;

namespace QueryLake.Columnar.Memory;

/// <summary>
/// An immutable, contiguous region of bytes holding one Arrow buffer (validity bitmap, offsets or
/// values). It may live in 64-byte aligned native memory, in a memory-mapped file or in a managed
/// array; slicing never copies.
/// </summary>
public readonly struct ArrowBuffer
{
    private readonly ReadOnlyMemory<byte> _memory;

    /// <summary>Wraps existing memory without copying.</summary>
    public ArrowBuffer(ReadOnlyMemory<byte> memory) => _memory = memory;

    /// <summary>The empty buffer (an absent validity bitmap is empty).</summary>
    public static ArrowBuffer Empty => default;

    /// <summary>Length in bytes.</summary>
    public int Length => _memory.Length;

    /// <summary>True when the buffer holds no bytes.</summary>
    public bool IsEmpty => _memory.IsEmpty;

    /// <summary>The bytes.</summary>
    public ReadOnlySpan<byte> Span => _memory.Span;

    /// <summary>The underlying memory.</summary>
    public ReadOnlyMemory<byte> Memory => _memory;

    /// <summary>The bytes reinterpreted as values of <typeparamref name="T"/> (little-endian).</summary>
    public ReadOnlySpan<T> As<T>() where T : unmanaged => MemoryMarshal.Cast<byte, T>(_memory.Span);

    /// <summary>A zero-copy view of a byte range.</summary>
    public ArrowBuffer Slice(int start, int length) => new(_memory.Slice(start, length));

    /// <summary>Copies <paramref name="bytes"/> into a new 64-byte aligned buffer.</summary>
    public static ArrowBuffer Copy(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return Empty;
        var mem = AlignedMemory.Allocate(bytes.Length);
        bytes.CopyTo(mem.Span);
        return new ArrowBuffer(mem);
    }

    /// <summary>Copies typed values into a new aligned buffer.</summary>
    public static ArrowBuffer Copy<T>(ReadOnlySpan<T> values) where T : unmanaged =>
        Copy(MemoryMarshal.AsBytes(values));
}
