namespace QueryLake.Columnar.Memory;

/// <summary>
/// Recycles aligned buffers of 16 KB and more between the decodes of a scan and the next ones, and between the
/// batches whose scratch results they hold. A Parquet row group decoded into
/// fresh buffers cost more in first touches of fresh pages and in the garbage collections its large objects triggered
/// than in decoding (flights-3m, two int64 columns: 95 MB allocated per query, one full collection each); decoded into
/// buffers a finished batch gave back, the same scan touches warm memory and allocates almost nothing. Buffers come
/// back only through a <see cref="BufferLease"/>, whose holders promise to keep nothing of them.
/// </summary>
/// <remarks>Lengths are rounded up to one of eight size classes per power of two, so buffers of similar sizes (text
/// columns of similar row groups) are reused too. The pool keeps at most <see cref="Capacity"/> bytes, and after each
/// full garbage collection drops the buffers nobody rented since the one before (and the shared pool, those nobody
/// rented for 10 seconds): an idle process gives the memory back to the collector. Tests set <see cref="PoisonReturned"/>, which overwrites every returned buffer, so a reader
/// of a buffer after its lease ended sees garbage instead of passing by luck.</remarks>
internal sealed class BufferPool
{
    /// <summary>Buffers shorter than this are allocated as before. From here up they are pooled: <see cref="AlignedMemory"/>
    /// pins buffers under 85 KB (to keep their alignment), and pinned ones live on the pinned object heap, whose budget
    /// forced a full collection every few filtered queries when a filter's gathered rows (52 KB a batch) were fresh.</summary>
    public const int MinimumLength = 16 << 10;

    /// <summary>The most bytes the pool keeps; buffers returned beyond it are left to the collector.</summary>
    public long Capacity { get; }

    /// <summary>The process-wide pool that scans decode into: it keeps at most 512 MB, or an eighth of the memory
    /// the process may use where that is less (a container's limit), and drops what nobody rented for 10 seconds.</summary>
    public static BufferPool Shared { get; } = new(Math.Min(512L << 20, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 8), TimeSpan.FromSeconds(10));

    /// <summary>Overwrites every returned buffer with a fixed pattern (tests: a use after the lease ended then reads
    /// wrong values instead of the old ones).</summary>
    internal static volatile bool PoisonReturned;

    private readonly Dictionary<int, Stack<Memory<byte>>> _free = [];
    private long _pooled;
    private int _generation;
    private readonly Dictionary<int, (int Generation, long Tick)> _lastRented = [];
    private readonly Timer? _idleTimer;

    /// <summary>A pool keeping at most <paramref name="capacity"/> bytes; with <paramref name="idle"/>, a timer also
    /// drops the size classes nobody rented for that long, so an idle process gives the memory back without waiting
    /// for a full collection (the timer keeps the pool alive: meant for long-lived pools).</summary>
    public BufferPool(long capacity, TimeSpan? idle = null)
    {
        Capacity = capacity;
        _ = new Trimmer(this);
        if (idle is { } every) _idleTimer = new Timer(_ => TrimIdle((long)every.TotalMilliseconds), null, every, every);
    }

    /// <summary>Bytes held for reuse now.</summary>
    public long PooledBytes { get { lock (_free) return _pooled; } }

    /// <summary>A buffer of at least <paramref name="length"/> bytes (its whole size class), reused when one was
    /// returned, otherwise fresh from <see cref="AlignedMemory"/>. Its contents are undefined.</summary>
    public Memory<byte> Rent(int length)
    {
        int size = SizeClass(length);
        lock (_free)
        {
            _lastRented[size] = (_generation, Environment.TickCount64);
            if (_free.TryGetValue(size, out var stack) && stack.Count > 0)
            {
                _pooled -= size;
                return stack.Pop();
            }
        }
        return AlignedMemory.AllocateFresh(size, clear: false);
    }

    /// <summary>Takes back a buffer from <see cref="Rent"/>; nothing may use it afterwards.</summary>
    public void Return(Memory<byte> buffer)
    {
        if (buffer.Length != SizeClass(buffer.Length)) throw new ArgumentException($"a buffer of {buffer.Length} bytes did not come from the pool", nameof(buffer));
        if (PoisonReturned) buffer.Span.Fill(0xA5);
        lock (_free)
        {
            if (_pooled + buffer.Length > Capacity) return;
            if (!_free.TryGetValue(buffer.Length, out var stack)) _free[buffer.Length] = stack = new Stack<Memory<byte>>();
            stack.Push(buffer);
            _pooled += buffer.Length;
        }
    }

    /// <summary>The length rounded up to the next of eight classes per power of two (at most 12.5% more).</summary>
    internal static int SizeClass(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length <= MinimumLength) return MinimumLength;
        int top = 31 - int.LeadingZeroCount(length - 1); // 2^top < length <= 2^(top+1)
        int step = 1 << (top - 3);
        long rounded = ((long)length + step - 1) / step * step;
        return rounded > Array.MaxLength - 4 * 1024 * 1024 ? length : (int)rounded;
    }

    /// <summary>After a full collection: drops the size classes nobody rented since the previous one.</summary>
    private void Trim()
    {
        lock (_free)
        {
            Drop(size => _lastRented.TryGetValue(size, out var last) ? last.Generation < _generation : true);
            _generation++;
        }
    }

    /// <summary>Drops the size classes nobody rented in the last <paramref name="idleMilliseconds"/>.</summary>
    internal void TrimIdle(long idleMilliseconds)
    {
        long now = Environment.TickCount64;
        lock (_free) Drop(size => !_lastRented.TryGetValue(size, out var last) || now - last.Tick >= idleMilliseconds);
    }

    private void Drop(Func<int, bool> unused)
    {
        foreach (var (size, stack) in _free)
            if (stack.Count > 0 && unused(size))
            {
                _pooled -= (long)size * stack.Count;
                stack.Clear();
            }
    }

    /// <summary>An object that is finalized after every full collection and then lives on, to trim its pool, for as
    /// long as the pool lives. It holds the pool by a weak GC handle (a struct): a WeakReference object would become
    /// unreachable together with it and could be finalized, and emptied, first.</summary>
    private sealed class Trimmer(BufferPool pool)
    {
        private System.Runtime.InteropServices.GCHandle _pool = System.Runtime.InteropServices.GCHandle.Alloc(pool, System.Runtime.InteropServices.GCHandleType.Weak);

        ~Trimmer()
        {
            if (_pool.Target is not BufferPool target)
            {
                _pool.Free();
                return;
            }
            target.Trim();
            GC.ReRegisterForFinalize(this);
        }
    }
}
