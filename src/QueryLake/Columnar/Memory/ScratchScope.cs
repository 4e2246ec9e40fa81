namespace QueryLake.Columnar.Memory;

/// <summary>
/// Marks a stretch of work on one thread whose buffers all die with it, such as evaluating a filter into
/// row numbers: while a scope is open, <see cref="AlignedMemory.Allocate"/> rents buffers of at least
/// <see cref="BufferPool.MinimumLength"/> bytes from the shared <see cref="BufferPool"/>, and closing the scope gives
/// them back. A filter's intermediate results (<c>id % 10</c> over a 64K-row batch is 512 KB) are then reused warm
/// instead of churning the garbage collector. Whoever opens a scope guarantees that nothing allocated inside it is
/// used after it closes: the work returns fresh .NET arrays (row numbers) or values, and keeps no array in a cache.
/// </summary>
internal sealed class ScratchScope : IDisposable
{
    [ThreadStatic] private static ScratchScope? t_current;

    private readonly BufferLease _lease;
    private readonly bool _owned;
    private readonly ScratchScope? _outer;
    private bool _closed;

    private ScratchScope(ScratchScope? outer, BufferLease? lease)
    {
        _outer = outer;
        _owned = lease is null;
        _lease = lease ?? new BufferLease(BufferPool.Shared);
    }

    /// <summary>The scope open on this thread, if any.</summary>
    public static ScratchScope? Current => t_current;

    /// <summary>Opens a scope on this thread (inside any open one; it closes first).</summary>
    public static ScratchScope Open() => t_current = new ScratchScope(t_current, null);

    /// <summary>Opens a scope whose buffers join <paramref name="lease"/>: they go back when its holders release it,
    /// not when the scope closes (a row group's gathered columns, lent with the rest of the row group).</summary>
    public static ScratchScope Into(BufferLease lease) => t_current = new ScratchScope(t_current, lease);

    /// <summary>Builds a batch in a scope of its own and lends it the scope's buffers (<see cref="RecordBatch.Lease"/>):
    /// the consumer's release gives them back. <paramref name="build"/> must make new arrays (a gather), not views of
    /// other batches' buffers.</summary>
    public static RecordBatch Lend(Func<RecordBatch> build)
    {
        var (batch, lease) = Run(build);
        return batch.Lend(lease);
    }

    /// <summary>Runs <paramref name="work"/> in a scope of its own and returns its result with the scope's buffers, for
    /// the caller to release once nothing of the result is used (on an error, the buffers go back at once).</summary>
    public static (T Value, BufferLease Lease) Run<T>(Func<T> work)
    {
        var scope = Open();
        try
        {
            var value = work();
            return (value, scope.Keep());
        }
        finally
        {
            scope.Dispose(); // after Keep, a no-op
        }
    }

    /// <summary>A buffer of at least <paramref name="length"/> bytes that lives until the scope closes.</summary>
    public Memory<byte> Rent(int length) => _lease.Rent(length);

    /// <summary>Closes the scope and gives its buffers back.</summary>
    public void Dispose()
    {
        if (!Close() || !_owned) return;
        _lease.Release();
    }

    /// <summary>Closes the scope but keeps its buffers for the caller, who releases the returned lease once nothing
    /// allocated in the scope is used any more (work evaluated on one thread and consumed on another).</summary>
    public BufferLease Keep()
    {
        if (!_owned) throw new InvalidOperationException("a scope that joins a lease keeps nothing of its own");
        if (!Close()) throw new InvalidOperationException("the scratch scope is already closed");
        return _lease;
    }

    private bool Close()
    {
        if (_closed) return false;
        if (!ReferenceEquals(t_current, this)) throw new InvalidOperationException("scratch scopes must close in the order they opened, on the thread that opened them");
        _closed = true;
        t_current = _outer;
        return true;
    }
}
