using System.Diagnostics;
using QueryLake.Execution.Spill;
using QueryLake.Execution.Physical;

namespace QueryLake.Execution;

/// <summary>State shared by the operators of one query: cancellation, the memory limit and what holds memory, the
/// query's spill files, and, for EXPLAIN ANALYZE, rows and time per operator. Disposing it (when the query's results
/// end, however they end) deletes the spill files.</summary>
internal sealed class QueryContext(CancellationToken cancel, bool collectStatistics = false, int threads = 0, long? memoryLimit = null,
    string? tempDirectory = null, IReadOnlySet<string>? disabledRules = null) : IDisposable
{
    /// <summary>Optimizer and physical-planner rules switched off for this query (<c>disabled_optimizers</c>); the
    /// queries that expressions run on their own (correlated subqueries) are planned the same way.</summary>
    public IReadOnlySet<string>? DisabledRules { get; } = disabledRules;

    public CancellationToken Cancel { get; } = cancel;

    /// <summary>Where similarity searches run (<c>SET device</c>).</summary>
    public Kernels.Similarity.DevicePolicy Device { get; init; }

    /// <summary>The most device memory kept columns may hold (<c>gpu_memory_limit</c>); null: 80% of the device's.</summary>
    public long? GpuMemoryLimit { get; init; }

    private static readonly AsyncLocal<QueryContext?> Ambient = new();

    /// <summary>The context of the query running on this thread (and in the tasks it started), for work that
    /// expressions start on their own: a correlated subquery's runs take its cancellation and memory limit.</summary>
    public static QueryContext? Current => Ambient.Value;

    /// <summary>Runs <paramref name="work"/> with <see cref="Current"/> set to this context.</summary>
    public T Within<T>(Func<T> work)
    {
        var saved = Ambient.Value;
        Ambient.Value = this;
        try { return Storage.Stores.StoreCancellation.Within(Cancel, work); }
        finally { Ambient.Value = saved; }
    }

    private System.Collections.Concurrent.ConcurrentDictionary<object, object>? _memos;

    /// <summary>State an expression node keeps for the whole query, across batches and threads (a correlated
    /// subquery's results by outer values): created once per <paramref name="owner"/>, shared after.</summary>
    public T Memo<T>(object owner, Func<T> create) where T : class
    {
        if (_memos is null) Interlocked.CompareExchange(ref _memos, new(ReferenceEqualityComparer.Instance), null);
        return (T)_memos.GetOrAdd(owner, _ => create());
    }

    private long _reserved;

    /// <summary>The most bytes the query's blocking operators (sort, aggregation, join build, window, distinct) may hold.</summary>
    public long? MemoryLimit { get; } = memoryLimit;

    /// <summary>Accounts for memory an operator holds if it fits under the limit; an operator that can spill does so
    /// when it does not.</summary>
    public bool TryReserve(long bytes)
    {
        if (MemoryLimit is not { } limit) { Interlocked.Add(ref _reserved, bytes); Charge(bytes); return true; }
        while (true)
        {
            long current = Volatile.Read(ref _reserved);
            if (current + bytes > limit) return false;
            if (Interlocked.CompareExchange(ref _reserved, current + bytes, current) == current) { Charge(bytes); return true; }
        }
    }

    /// <summary>Accounts for memory an operator already holds past the limit (what it made before it could tell);
    /// it must spill from then on.</summary>
    public void Hold(long bytes) { Interlocked.Add(ref _reserved, bytes); Charge(bytes); }

    /// <summary>Gives back memory an operator no longer holds (it spilled it, or it is done).</summary>
    public void Release(long bytes) { Interlocked.Add(ref _reserved, -bytes); Charge(-bytes); }

    /// <summary>Bytes reserved now.</summary>
    public long Reserved => Interlocked.Read(ref _reserved);

    private SpillDirectory? _spill;

    /// <summary>The folder spill files of this query go in (under <c>temp_directory</c>; made when first used).</summary>
    public SpillDirectory Spill =>
        LazyInitializer.EnsureInitialized(ref _spill, () => new SpillDirectory(TempDirectory ?? DefaultTempDirectory));

    /// <summary>The temp directory this query spills under (null: <see cref="DefaultTempDirectory"/>).</summary>
    public string? TempDirectory { get; } = tempDirectory;

    /// <summary>Bytes this query spilled to disk.</summary>
    public long SpilledBytes => _spill?.BytesWritten ?? 0;

    /// <summary>Where spill files go unless <c>temp_directory</c> says otherwise: the system's temp folder.</summary>
    public static string DefaultTempDirectory => System.IO.Path.GetTempPath();

    /// <summary>Deletes the query's spill files.</summary>
    public void Dispose() => _spill?.Dispose();

    /// <summary>Accounts for memory an operator holds; fails the query with a clear error past the limit, instead of
    /// letting it take the process down. Used by operators that cannot spill, and by those that can for what must
    /// stay in memory even after spilling.</summary>
    public void Reserve(long bytes, string holder)
    {
        long total = Interlocked.Add(ref _reserved, bytes);
        Charge(bytes);
        if (MemoryLimit is { } limit && total > limit)
            throw new Errors.QueryLakeException("QL-OUT-OF-MEMORY",
                $"the query needs more than its memory limit of {Format(limit)} ({holder} holds {Format(total)} so far); raise the limit, or filter or aggregate earlier");
    }

    private static string Format(long bytes) => bytes >= 1L << 30 ? $"{bytes / (double)(1L << 30):F1} GiB" : $"{bytes / (double)(1 << 20):F1} MiB";

    /// <summary>Bytes held by a batch's buffers. With <paramref name="counted"/>, a dictionary already in it is not
    /// counted again: batches an operator holds often share one (text a scan or a join hands out as indices into one
    /// dictionary), and counting it per batch made a semi join's 734,000 build rows look like gigabytes.</summary>
    public static long SizeOf(Columnar.RecordBatch b, ISet<Columnar.ArrayData>? counted = null)
    {
        long Size(Columnar.ArrayData d) => d.Buffers.Sum(x => (long)x.Length) + d.Children.Sum(Size)
            + (d.Dictionary is null || (counted is not null && !counted.Add(d.Dictionary)) ? 0 : Size(d.Dictionary));
        return b.Columns.Sum(c => Size(c.Data));
    }

    /// <summary>A set for <see cref="SizeOf"/>'s shared dictionaries (by reference).</summary>
    public static ISet<Columnar.ArrayData> Dictionaries() => new HashSet<Columnar.ArrayData>(ReferenceEqualityComparer.Instance);

    /// <summary>Told the rows a statement's write has read so far (and true once its input ends), for progress bars.</summary>
    public Action<long, bool>? Progress { get; init; }

    /// <summary>How many batches per-batch operators work on at once (default: one per core).</summary>
    public int Threads { get; } = threads > 0 ? threads : Environment.ProcessorCount;
    public bool CollectStatistics { get; } = collectStatistics;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<PhysicalOperator, OperatorStatistics> _statistics = new(ReferenceEqualityComparer.Instance);

    /// <summary>What an operator did in this run (EXPLAIN ANALYZE); null when it did not run or statistics are off.</summary>
    public OperatorStatistics? StatisticsOf(PhysicalOperator op) => _statistics.GetValueOrDefault(op);

    /// <summary>The operator whose batch is being produced on this thread (and in the tasks it started): memory reserved
    /// meanwhile is charged to it.</summary>
    private readonly AsyncLocal<OperatorStatistics?> _working = new();

    private void Charge(long bytes)
    {
        if (CollectStatistics) _working.Value?.Charge(bytes);
    }

    /// <summary>Adds rows an operator produced outside <see cref="Measure{T}"/>'s own count (a scan that hands selected rows).</summary>
    public void Count(PhysicalOperator op, long rows)
    {
        if (CollectStatistics) _statistics.GetOrAdd(op, _ => new()).AddRows(rows);
    }

    /// <summary>Wraps an operator's output to count its rows and the time spent producing them, and to charge it the
    /// memory reserved while it does.</summary>
    public IEnumerable<Columnar.RecordBatch> Measure(PhysicalOperator op, IEnumerable<Columnar.RecordBatch> batches) =>
        CollectStatistics ? Measure(op, batches, b => b.Length) : batches;

    /// <summary>Wraps what an operator hands its consumer: <paramref name="rows"/> counts the rows of an item.</summary>
    public IEnumerable<T> Measure<T>(PhysicalOperator op, IEnumerable<T> items, Func<T, long>? rows = null)
    {
        if (!CollectStatistics) { foreach (var item in items) yield return item; yield break; }
        var stats = _statistics.GetOrAdd(op, _ => new());
        var sw = new Stopwatch();
        using var e = items.GetEnumerator();
        try
        {
            while (true)
            {
                bool more;
                var outer = _working.Value;
                _working.Value = stats;
                sw.Start();
                try { more = e.MoveNext(); }
                finally { sw.Stop(); _working.Value = outer; }
                if (!more) break;
                if (rows is not null) stats.AddRows(rows(e.Current));
                yield return e.Current;
            }
        }
        finally { stats.AddTime(sw.Elapsed); }
    }
}
