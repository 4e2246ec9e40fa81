namespace QueryLake.Columnar.Memory;

/// <summary>
/// The pooled buffers one fragment of a scan was decoded into, lent to whoever consumes its batches. The buffers go
/// back to the pool when every holder has released the lease, so a holder must be done with the batch and keep
/// nothing of it (no array, slice or span) when it calls <see cref="Release"/>. A holder that never releases only
/// forgoes the reuse: the collector frees the buffers as usual.
/// </summary>
internal sealed class BufferLease(BufferPool pool)
{
    private readonly List<Memory<byte>> _buffers = [];
    private int _holders = 1;

    /// <summary>A buffer of at least <paramref name="length"/> bytes that the lease will return.</summary>
    public Memory<byte> Rent(int length)
    {
        var buffer = pool.Rent(length);
        lock (_buffers) _buffers.Add(buffer);
        return buffer;
    }

    /// <summary>Turns the single holder into <paramref name="holders"/> (a row group cut into that many batches); call it
    /// before handing out any of them.</summary>
    public void Split(int holders)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(holders, 1);
        Interlocked.Add(ref _holders, holders - 1);
    }

    /// <summary>One holder is done; the last one returns the buffers to the pool.</summary>
    public void Release()
    {
        int left = Interlocked.Decrement(ref _holders);
        if (left > 0) return;
        if (left < 0) throw new InvalidOperationException("a buffer lease was released more often than it was shared");
        lock (_buffers)
        {
            foreach (var buffer in _buffers) pool.Return(buffer);
            _buffers.Clear();
        }
    }
}
