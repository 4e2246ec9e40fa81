using System.Buffers;
using System.IO.MemoryMappedFiles;

namespace QueryLake.Formats;

/// <summary>
/// A read-only memory-mapped file (or a file read by ranges, <see cref="Over"/>). Slices are <see cref="ReadOnlyMemory{T}"/> that keep the mapping alive;
/// the mapping is released by the runtime once no slice, array or reader refers to it, so arrays read
/// from a file stay valid after their reader is disposed.
/// </summary>
internal sealed unsafe class MappedFile
{
    // Held so the mapping (its SafeHandle) lives as long as this object and every slice of it.
    private readonly MemoryMappedViewAccessor? _view;
    private readonly byte* _base;

    private MappedFile(string path, long length, MemoryMappedViewAccessor? view, byte* basePtr)
    {
        Path = path;
        Length = length;
        _view = view;
        _base = basePtr;
    }

    public string Path { get; }
    public long Length { get; }

    public static MappedFile Open(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
        long length = fs.Length;
        if (length == 0) return new MappedFile(path, 0, null, null);
        var mmf = MemoryMappedFile.CreateFromFile(fs, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
        var view = mmf.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
        byte* p = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        p += view.PointerOffset;
        return new MappedFile(path, length, view, p);
    }

    /// <summary>The bytes of a file that is not mapped but read through <paramref name="read"/>(offset, length): a file on
    /// object storage read by byte ranges, which the readers of every format then use as they use a mapping.</summary>
    public static MappedFile Over(string path, long length, Func<long, int, ReadOnlyMemory<byte>> read) =>
        new(path, length, null, null) { _read = read };

    private Func<long, int, ReadOnlyMemory<byte>>? _read;

    public ReadOnlyMemory<byte> Slice(long offset, int length)
    {
        if (offset < 0 || length < 0 || offset + length > Length)
            throw new ArgumentOutOfRangeException(nameof(offset), $"[{offset}, {offset + length}) is outside the {Length}-byte file");
        if (length == 0) return ReadOnlyMemory<byte>.Empty;
        return _read is { } read ? read(offset, length) : new Region(this, _base + offset, length).Memory;
    }

    public ReadOnlySpan<byte> Span(long offset, int length) => Slice(offset, length).Span;

    private sealed class Region(MappedFile owner, byte* ptr, int length) : MemoryManager<byte>
    {
        // Holding the owner keeps the mapping (and its SafeHandle) reachable while this memory is.
        private readonly MappedFile _owner = owner;

        public override Span<byte> GetSpan()
        {
            GC.KeepAlive(_owner);
            return new Span<byte>(ptr, length);
        }

        public override MemoryHandle Pin(int elementIndex = 0) => new(ptr + elementIndex, default, this);
        public override void Unpin() { }
        protected override void Dispose(bool disposing) { }
    }
}
