using System.Buffers;
using System.Runtime.InteropServices;

namespace QueryLake.Columnar.Interop;

/// <summary>Memory of another library's buffer that also keeps that buffer's owner reachable. A
/// <see cref="ReadOnlyMemory{T}"/> over an array keeps only the array alive; Apache.Arrow buffers may be rented arrays
/// or native memory whose owner returns or frees them when it is finalized, so a view that outlived its owner would
/// read reused memory. Holding the owner (an Apache.Arrow array) for as long as the view lives prevents that.</summary>
internal sealed class KeptAliveMemory(ReadOnlyMemory<byte> memory, object owner) : MemoryManager<byte>
{
    private readonly object _owner = owner;

    public override Span<byte> GetSpan()
    {
        GC.KeepAlive(_owner);
        return MemoryMarshal.AsMemory(memory).Span;
    }

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        var handle = MemoryMarshal.AsMemory(memory)[elementIndex..].Pin();
        GC.KeepAlive(_owner);
        return handle;
    }

    public override void Unpin() { }

    protected override void Dispose(bool disposing) { }
}
